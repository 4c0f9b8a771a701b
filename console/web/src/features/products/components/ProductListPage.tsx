import { createColumnHelper } from "@tanstack/react-table";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useForm } from "react-hook-form";
import { Link, useNavigate } from "react-router-dom";
import { DataTable } from "../../../components/DataTable";
import { Field } from "../../../components/Field";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { idempotencyKey, productConfigApi } from "../../../lib/api/clients";
import { described, showProblem } from "../../../lib/forms";
import { unwrap } from "../../../lib/problem";
import { hasRole, useSession } from "../../../lib/session";
import { useProducts, type Product, type ProductCreate } from "../api/products";

const column = createColumnHelper<Product>();
const columns = [
  column.accessor("code", { header: "Code", cell: (c) => <Link to={`/products/${encodeURIComponent(c.getValue())}`}>{c.getValue()}</Link> }),
  column.accessor("name", { header: "Name" }),
  column.accessor("channel", { header: "Channel" }),
  column.accessor("pricing_model", { header: "Pricing" }),
  column.accessor("status", { header: "Status" }),
];

const CHANNELS = ["onsite", "offsite", "in_store"];
const PRICING = ["cpm", "vcpm", "cpc", "cpa", "auction_cpc", "flat_fee"];
const FIELDS = ["code", "name", "channel", "pricing_model", "gl_revenue_account", "tax_code", "invoice_description"] as const;

export function ProductListPage() {
  const { person } = useSession();
  const products = useProducts();
  return (
    <>
      <h1>Products</h1>
      <ProblemMessage error={products.error} />
      {products.isPending ? <p role="status">Loading products…</p> : (
        <DataTable caption="Products" data={products.data?.items ?? []} columns={columns} empty="No products yet." />
      )}
      {hasRole(person, "config-admin") ? <CreateProduct /> : null}
    </>
  );
}

function CreateProduct() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const form = useForm<ProductCreate>({ defaultValues: { channel: "onsite", pricing_model: "cpm" } });
  const create = useMutation({
    mutationFn: async (v: ProductCreate) => {
      const body = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === "" ? null : x])) as ProductCreate;
      return unwrap(await productConfigApi.POST("/v1/products", { body, headers: { "Idempotency-Key": idempotencyKey() } }));
    },
    onSuccess: (p) => {
      void client.invalidateQueries({ queryKey: ["products"] });
      navigate(`/products/${encodeURIComponent(p.code)}`);
    },
    onError: (e) => showProblem(form, e, [...FIELDS]),
  });
  const errors = form.formState.errors;
  const text = (name: (typeof FIELDS)[number], label: string) => (
    <Field id={`product-${name}`} label={label} error={errors[name]?.message}>
      <input id={`product-${name}`} {...form.register(name)} {...described(`product-${name}`, errors[name]?.message)} />
    </Field>
  );
  return (
    <form className="panel" aria-labelledby="create-product" onSubmit={form.handleSubmit((v) => create.mutate(v))} style={{ maxWidth: 520 }}>
      <h2 id="create-product">Create a product</h2>
      {text("code", "Product code")}
      {text("name", "Name")}
      <Field id="product-channel" label="Channel" error={errors.channel?.message}>
        <select id="product-channel" {...form.register("channel")}>
          {CHANNELS.map((c) => <option key={c} value={c}>{c}</option>)}
        </select>
      </Field>
      <Field id="product-pricing_model" label="Pricing model" error={errors.pricing_model?.message}>
        <select id="product-pricing_model" {...form.register("pricing_model")}>
          {PRICING.map((c) => <option key={c} value={c}>{c}</option>)}
        </select>
      </Field>
      {text("gl_revenue_account", "GL revenue account")}
      {text("tax_code", "Tax code")}
      {text("invoice_description", "Invoice description")}
      {errors.root ? <p role="alert" className="problem">{errors.root.message}</p> : null}
      <button type="submit" disabled={create.isPending}>Create the product</button>
    </form>
  );
}
