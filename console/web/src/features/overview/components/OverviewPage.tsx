import { useState } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { compact, count, money, percent } from "../../../lib/format";
import { currentMonth, lastBilledPeriod, useAdjustmentKpis, useDisputeKpis, useInvoiceKpis, useUnbilledTotals, window, type InvoiceKpis } from "../api/kpis";
import { RootCauses } from "./RootCauses";

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div className="card">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

export function OverviewPage() {
  const [month, setMonth] = useState(lastBilledPeriod());
  const span = window(month, 5);
  const invoices = useInvoiceKpis(span.from, span.to);
  // Exceptions count by when they were raised: those raised since the month began, up to today.
  const sinceMonth = useInvoiceKpis(month, currentMonth() > month ? currentMonth() : month);
  const disputes = useDisputeKpis(month);
  const adjustments = useAdjustmentKpis(month);
  const unbilled = useUnbilledTotals(month);
  const thisMonth = (invoices.data?.periods ?? []).filter((p) => p.period === month);
  return (
    <>
      <h1>Overview</h1>
      <div className="field" style={{ maxWidth: 220 }}>
        <label htmlFor="overview-month">Month</label>
        <input id="overview-month" type="month" value={month} onChange={(e) => e.target.value && setMonth(e.target.value)} />
      </div>
      <ProblemMessage error={invoices.error ?? disputes.error ?? adjustments.error} />
      <section aria-labelledby="month-figures">
        <h2 id="month-figures">The month at a glance</h2>
        <dl className="cards">
          {thisMonth.length === 0 ? <Figure label="Billed value" value="nothing issued" /> : null}
          {thisMonth.map((p) => (
            <Figure key={`billed-${p.currency}`} label={`Billed value (${p.currency})`} value={money(p.billed_value, p.currency)} />
          ))}
          {thisMonth.map((p) => (
            <Figure key={`issued-${p.currency}`} label={`Invoices issued (${p.currency})`} value={count(p.invoices_issued)} />
          ))}
          {thisMonth.map((p) => (
            <Figure key={`credited-${p.currency}`} label={`Credited value (${p.currency})`} value={money(p.credited_value, p.currency)} />
          ))}
          {unbilled.data && unbilled.data.totals.length === 0 ? <Figure label="Unbilled value" value="nothing unbilled" /> : null}
          {(unbilled.data?.totals ?? []).map((t) => (
            <Figure key={`unbilled-${t.currency}`} label={`Unbilled value (${t.currency}, without tax)`} value={money(t.net, t.currency)} />
          ))}
          <Figure label="Open exceptions" value={count(invoices.data?.open_exceptions.count)} />
          {(invoices.data?.revenue_at_risk ?? []).map((r) => (
            <Figure key={`risk-${r.currency ?? "none"}`} label={`Revenue at risk (${r.currency ?? "no currency"})`}
              value={r.currency ? `${money(r.value, r.currency)}${r.unpriced ? ` + ${count(r.unpriced)} not priced` : ""}` : `${count(r.unpriced)} not priced`} />
          ))}
          {(invoices.data?.by_currency ?? []).map((c) => (
            <Figure key={`acc-${c.currency}`} label={`Billing accuracy, 6 months (${c.currency})`} value={percent(c.billing_accuracy)} />
          ))}
          <Figure label="Dispute rate" value={percent(disputes.data?.dispute_rate.rate)} />
          <Figure label="Disputes opened" value={count(disputes.data?.disputes_opened)} />
          <Figure label="Resolved within SLA" value={percent(disputes.data?.resolved_within_sla.share)} />
          <Figure label="Dispute turnaround, median (hours)" value={disputes.data?.turnaround.median == null ? "—" : String(disputes.data.turnaround.median)} />
          <Figure label="Auto-approved share" value={percent(adjustments.data?.auto_approved_share)} />
          <Figure label="Touchless invoices" value={touchless(invoices.data, month)} />
          <Figure label={`Self-healed exceptions (raised since ${month})`} value={selfHealed(sinceMonth.data)} />
        </dl>
      </section>
      {invoices.data ? <BilledByMonth kpis={invoices.data} /> : null}
      {invoices.data ? <ExceptionsByKind kpis={invoices.data} /> : null}
      <RootCauses from={window(currentMonth(), 5).from} to={currentMonth()} />
    </>
  );
}

/** The month's invoices issued with no exception, dispute, memo or void: share and count (invoice-svc's figures). */
function touchless(kpis: InvoiceKpis | undefined, month: string): string {
  if (!kpis) return "—";
  const p = kpis.automation.by_period.find((x) => x.period === month);
  return !p || p.touchless_share === null ? "none issued" : `${percent(p.touchless_share)} (${count(p.touchless_invoices)} of ${count(p.invoices)})`;
}

/** Billing exceptions the system resolved itself, of those resolved (invoice-svc's figures). */
function selfHealed(kpis: InvoiceKpis | undefined): string {
  if (!kpis) return "—";
  const a = kpis.automation;
  return a.self_healed_share === null ? "none resolved" : `${percent(a.self_healed_share)} (${count(a.self_healed)} of ${count(a.exceptions_resolved)})`;
}

function BilledByMonth({ kpis }: { kpis: InvoiceKpis }) {
  const currencies = [...new Set(kpis.periods.map((p) => p.currency))];
  // One bar per currency and month, as the API gives them: never summed across currencies here.
  const rows = [...new Set(kpis.periods.map((p) => p.period))].sort().map((period) => ({
    period,
    ...Object.fromEntries(kpis.periods.filter((p) => p.period === period).flatMap((p) => [
      [`Billed (${p.currency})`, Number(p.billed_value)], [`Credited (${p.currency})`, Number(p.credited_value)]])),
  }));
  return (
    <section aria-labelledby="billed-chart">
      <h2 id="billed-chart">Billed and credited value by month</h2>
      <figure className="panel" aria-label="Chart: billed value by month and currency">
        <ResponsiveContainer width="100%" height={280}>
          <BarChart data={rows}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="period" />
            <YAxis tickFormatter={compact} />
            <Tooltip />
            <Legend />
            {currencies.flatMap((c, i) => [
              <Bar key={`b-${c}`} dataKey={`Billed (${c})`} fill={["#2f5d8a", "#2f8a5d", "#5d2f8a"][i % 3]} />,
              <Bar key={`c-${c}`} dataKey={`Credited (${c})`} fill={["#8a5d2f", "#8a2f45", "#6b6b00"][i % 3]} />,
            ])}
          </BarChart>
        </ResponsiveContainer>
        <figcaption>Billed value of issued invoices and value credited against them per month, per currency (invoice-svc KPIs).</figcaption>
      </figure>
    </section>
  );
}

type OpenOfKind = InvoiceKpis["open_exceptions"]["by_kind"][number];

/** The priced value held back, and how many could not be priced (no currency, rate or product to price them by). */
function atRisk(e: OpenOfKind): string {
  if (e.value_at_risk === null) return "—";
  const unpriced = e.unpriced ? `${count(e.unpriced)} not priced` : "";
  if (e.currency === null) return unpriced || "—";
  const priced = money(e.value_at_risk, e.currency);
  return unpriced ? `${priced} + ${unpriced}` : priced;
}

function ExceptionsByKind({ kpis }: { kpis: InvoiceKpis }) {
  return (
    <section aria-labelledby="exceptions-by-kind">
      <h2 id="exceptions-by-kind">Open exceptions by kind</h2>
      <table>
        <caption>Open exceptions and the value they put at risk</caption>
        <thead><tr><th scope="col">Kind</th><th scope="col" className="num">Open</th><th scope="col" className="num">Value at risk</th></tr></thead>
        <tbody>
          {kpis.open_exceptions.by_kind.length === 0 ? <tr><td colSpan={3}>None open.</td></tr> : null}
          {kpis.open_exceptions.by_kind.map((e) => (
            <tr key={`${e.kind}-${e.currency}`}><td>{e.kind}</td><td className="num">{count(e.open)}</td><td className="num">{atRisk(e)}</td></tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
