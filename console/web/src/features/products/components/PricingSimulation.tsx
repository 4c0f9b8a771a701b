import { useForm } from "react-hook-form";
import { Field } from "../../../components/Field";
import { described, showProblem } from "../../../lib/forms";
import { calendarDate, count, money } from "../../../lib/format";
import { useSimulation, type Product, type SimulationRequest } from "../api/products";

// The quantities a delivery carries; the product's pricing model decides which of them it bills.
const QUANTITIES = [
  { name: "impressions", label: "Impressions" },
  { name: "viewable_impressions", label: "Viewable impressions" },
  { name: "clicks", label: "Clicks" },
  { name: "conversions", label: "Conversions" },
] as const;
type Quantity = (typeof QUANTITIES)[number]["name"];
type SimulationForm = Record<Quantity, string> & { rate_card: string; delivery_date: string };

// A whole number as a number; anything else as typed, so the service names what is wrong with it.
const asCount = (value: string) => (/^\d+$/.test(value.trim()) ? Number(value.trim()) : value) as number;

/** One sample day of a self-serve buyer: what the product's rate card bills for it, priced by invoice-svc. */
function request(product: Product, v: SimulationForm, currency: string): SimulationRequest {
  const { state_version: _version, ...state } = product as Product & { state_version?: number };
  const account = "SIMULATION";
  return {
    period: v.delivery_date.slice(0, 7),
    product: state as SimulationRequest["product"],
    contract: null,
    bill_to: { account_id: account, type: "advertiser", legal_name: "Simulated self-serve advertiser", currency,
      payment_terms_days: 30, po_required: false },
    already_billed: [],
    deliveries: [{
      delivery_id: "SIM-1", revision: 0, source_system: "simulation", account_id: account, campaign_id: "SIM",
      line_item_id: "SIM-LINE", product_code: product.code, delivery_date: v.delivery_date,
      impressions: asCount(v.impressions), viewable_impressions: asCount(v.viewable_impressions),
      clicks: asCount(v.clicks), conversions: asCount(v.conversions),
    }],
  };
}

export function PricingSimulation({ product }: { product: Product }) {
  const cards = product.rate_cards ?? [];
  const first = cards[0];
  const form = useForm<SimulationForm>({ defaultValues: {
    rate_card: "0", delivery_date: first?.effective_from ?? "", impressions: "0", viewable_impressions: "0", clicks: "0", conversions: "0" } });
  const simulation = useSimulation((e) => showProblem(form, e, ["delivery_date", ...QUANTITIES.map((q) => q.name)]));
  const errors = form.formState.errors;
  const card = cards[Number(form.watch("rate_card"))] ?? first;
  const result = simulation.data;
  return (
    <section className="panel" aria-labelledby="simulation">
      <h2 id="simulation">Pricing simulation</h2>
      {cards.length === 0 ? <p>Add a rate card to simulate pricing.</p> : (
        <>
          <p>
            One day of deliveries for a self-serve advertiser (no contract, discount or tax), priced by invoice-svc
            exactly as a bill run prices it. Nothing is written.
          </p>
          <form aria-label="Pricing simulation" className="filters" onSubmit={form.handleSubmit((v) => {
            form.clearErrors();
            simulation.mutate(request(product, v, card.currency));
          })}>
            <Field id="sim-rate-card" label="Rate card">
              <select id="sim-rate-card" {...form.register("rate_card", {
                onChange: (e) => form.setValue("delivery_date", cards[Number(e.target.value)]?.effective_from ?? "") })}>
                {cards.map((r, i) => (
                  <option key={i} value={i}>From {calendarDate(r.effective_from)}, {r.price ?? "tiered"} {r.currency}</option>
                ))}
              </select>
            </Field>
            <Field id="sim-date" label="Service date" error={errors.delivery_date?.message}>
              <input id="sim-date" type="date" {...form.register("delivery_date")} {...described("sim-date", errors.delivery_date?.message)} />
            </Field>
            {QUANTITIES.map((q) => (
              <Field key={q.name} id={`sim-${q.name}`} label={q.label} error={errors[q.name]?.message}>
                <input id={`sim-${q.name}`} inputMode="numeric" {...form.register(q.name)} {...described(`sim-${q.name}`, errors[q.name]?.message)} />
              </Field>
            ))}
            <div className="field"><button type="submit" disabled={simulation.isPending}>Price it</button></div>
            {errors.root ? <p role="alert" className="problem" style={{ width: "100%" }}>{errors.root.message}</p> : null}
          </form>
        </>
      )}
      {result && !simulation.isError ? (
        <table>
          <caption>Simulated invoice ({result.issuable ? "could be issued" : "could not be issued"})</caption>
          <thead>
            <tr><th scope="col">Line</th><th scope="col">Quantity</th><th scope="col">Unit price</th><th scope="col">Amount</th></tr>
          </thead>
          <tbody>
            {result.lines.map((l, i) => (
              <tr key={i}>
                <th scope="row">{l.description}</th>
                <td className="num">{count(l.quantity)}</td>
                <td className="num">{l.unit_price ?? "—"}</td>
                <td className="num">{money(l.amount, result.currency)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr><th scope="row" colSpan={3}>Subtotal</th><td className="num">{money(result.subtotal, result.currency)}</td></tr>
            <tr><th scope="row" colSpan={3}>Tax</th><td className="num">{money(result.tax_total, result.currency)}</td></tr>
            <tr><th scope="row" colSpan={3}>Total</th><td className="num" data-testid="simulated-total">{money(result.total, result.currency)}</td></tr>
          </tfoot>
        </table>
      ) : null}
      {result && result.exceptions.length > 0 ? (
        <ul aria-label="What the bill run would raise">
          {result.exceptions.map((e, i) => <li key={i} className="problem">{e.kind.replace(/_/g, " ")}: {e.message}</li>)}
        </ul>
      ) : null}
    </section>
  );
}
