import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useForm } from "react-hook-form";
import { useParams } from "react-router-dom";
import { Field } from "../../../components/Field";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { idempotencyKey, productConfigApi } from "../../../lib/api/clients";
import { described, showProblem } from "../../../lib/forms";
import { calendarDate } from "../../../lib/format";
import { unwrap } from "../../../lib/problem";
import { hasRole, useSession } from "../../../lib/session";
import { useProduct, useReadiness, type Product } from "../api/products";
import { PricingSimulation } from "./PricingSimulation";

export function ProductPage() {
  const { code = "" } = useParams();
  const { person } = useSession();
  const product = useProduct(code);
  if (product.error) return <ProblemMessage error={product.error} />;
  if (!product.data) return <p role="status">Loading the product…</p>;
  const p = product.data;
  const admin = hasRole(person, "config-admin");
  return (
    <>
      <h1>Product {p.code}</h1>
      <section className="panel" aria-labelledby="product-facts">
        <h2 id="product-facts">{p.name}</h2>
        <dl className="facts">
          <dt>Status</dt><dd>{p.status}</dd>
          <dt>Channel</dt><dd>{p.channel}</dd>
          <dt>Pricing model</dt><dd>{p.pricing_model}</dd>
          <dt>GL revenue account</dt><dd>{p.gl_revenue_account ?? "—"}</dd>
          <dt>Tax code</dt><dd>{p.tax_code ?? "—"}</dd>
        </dl>
      </section>
      <section aria-labelledby="rate-cards">
        <h2 id="rate-cards">Rate cards</h2>
        {(p.rate_cards ?? []).length === 0 ? <p>No rate card.</p> : (
          <ul>
            {(p.rate_cards ?? []).map((r, i) => (
              <li key={i}>From {calendarDate(r.effective_from)}: {r.price ?? "tiered"} {r.currency} per {p.pricing_model}</li>
            ))}
          </ul>
        )}
        {admin ? <AddRateCard product={p} /> : null}
      </section>
      <Readiness product={p} admin={admin} />
      <PricingSimulation product={p} />
    </>
  );
}

function Readiness({ product, admin }: { product: Product; admin: boolean }) {
  const client = useQueryClient();
  const readiness = useReadiness(product.code);
  const activate = useMutation({
    mutationFn: async () => unwrap(await productConfigApi.POST("/v1/products/{code}/activate", {
      params: { path: { code: product.code } }, body: null, headers: { "Idempotency-Key": idempotencyKey() } })),
    onSuccess: () => void client.invalidateQueries(),
  });
  return (
    <section className="panel" aria-labelledby="readiness">
      <h2 id="readiness">Readiness</h2>
      <ProblemMessage error={readiness.error} />
      {readiness.data ? (
        <>
          <p>{readiness.data.ready ? "Ready to activate." : "Not ready yet."}</p>
          <ul aria-label="Readiness checklist">
            {readiness.data.items.map((item) => (
              <li key={item.item} className={item.passed ? "ok" : "problem"}>
                {item.passed ? "✓" : "✗"} {item.item.replace(/_/g, " ")}: {item.reason}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <ProblemMessage error={activate.error} />
      {admin && product.status === "draft" ? (
        <button type="button" onClick={() => activate.mutate()} disabled={activate.isPending || !readiness.data?.ready}>
          Activate
        </button>
      ) : null}
    </section>
  );
}

interface RateCardForm {
  effective_from: string;
  currency: string;
  price: string;
}

function AddRateCard({ product }: { product: Product }) {
  const client = useQueryClient();
  const form = useForm<RateCardForm>({ defaultValues: { effective_from: "", currency: "USD", price: "" } });
  const add = useMutation({
    mutationFn: async (v: RateCardForm) => unwrap(await productConfigApi.POST("/v1/products/{code}/rate-cards", {
      params: { path: { code: product.code } }, body: { effective_from: v.effective_from, currency: v.currency, price: v.price || null },
      headers: { "Idempotency-Key": idempotencyKey() } })),
    onSuccess: () => {
      form.reset();
      void client.invalidateQueries();
    },
    onError: (e) => showProblem(form, e, ["effective_from", "currency", "price"]),
  });
  const errors = form.formState.errors;
  return (
    <form className="panel" aria-labelledby="add-rate-card" onSubmit={form.handleSubmit((v) => add.mutate(v))} style={{ maxWidth: 520 }}>
      <h3 id="add-rate-card">Add a rate card</h3>
      <Field id="rate-effective" label="Effective from" error={errors.effective_from?.message}>
        <input id="rate-effective" type="date" {...form.register("effective_from")} {...described("rate-effective", errors.effective_from?.message)} />
      </Field>
      <Field id="rate-currency" label="Currency" error={errors.currency?.message}>
        <input id="rate-currency" {...form.register("currency")} {...described("rate-currency", errors.currency?.message)} />
      </Field>
      <Field id="rate-price" label="Price" error={errors.price?.message}>
        <input id="rate-price" inputMode="decimal" {...form.register("price")} {...described("rate-price", errors.price?.message)} />
      </Field>
      {errors.root ? <p role="alert" className="problem">{errors.root.message}</p> : null}
      <button type="submit" disabled={add.isPending}>Add the rate card</button>
    </form>
  );
}
