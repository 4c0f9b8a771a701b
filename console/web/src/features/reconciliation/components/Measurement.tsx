import { createColumnHelper } from "@tanstack/react-table";
import { useForm } from "react-hook-form";
import { Link, useSearchParams } from "react-router-dom";
import { DataTable } from "../../../components/DataTable";
import { Field } from "../../../components/Field";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { count, money } from "../../../lib/format";
import { lastBilledPeriod, PERIOD } from "../../../lib/periods";
import { Pager, useCursors } from "./Pager";
import { useMeasurement, useMeasurementTotals, type MeasurementFilter, type MeasurementRow } from "../api/reconciliation";

const STATUS = { within_threshold: "within threshold", beyond_threshold: "beyond threshold", missing_third_party: "third-party count missing" } as const;
const BASIS = { first_party: "first-party", third_party: "third-party", discrepancy_tolerance: "discrepancy tolerance" } as const;

const col = createColumnHelper<MeasurementRow>();
const amount = (key: "billed" | "first_party_value" | "value_at_stake", header: string) =>
  col.accessor(key, { header, enableSorting: false,
    cell: (c) => money(c.getValue(), c.row.original.currency) });
const columns = [
  col.accessor("contract_id", { header: "Contract", cell: (c) => <Link to={`/contracts/${encodeURIComponent(c.getValue())}`}>{c.getValue()}</Link> }),
  col.accessor("line_item_id", { header: "Line item" }),
  col.accessor("product_code", { header: "Product" }),
  col.accessor("first_party_impressions", { header: "1P impressions", cell: (c) => count(c.getValue()) }),
  col.accessor("third_party_impressions", { header: "3P impressions", cell: (c) => count(c.getValue()) }),
  col.accessor("discrepancy_pct", { header: "Discrepancy", cell: (c) => (c.getValue() === null ? "—" : `${c.getValue()} %`),
    sortingFn: (a, b) => Number(a.original.discrepancy_pct ?? -Infinity) - Number(b.original.discrepancy_pct ?? -Infinity) }),
  col.accessor("billing_basis", { header: "Basis", cell: (c) => BASIS[c.getValue()] }),
  col.accessor("threshold_pct", { header: "Threshold", enableSorting: false, cell: (c) => `${c.getValue()} %` }),
  col.accessor("status", { header: "Status", cell: (c) => (
    <span className={c.getValue() === "within_threshold" ? "ok" : "problem"}>{STATUS[c.getValue()]}</span>) }),
  col.accessor("quantity_billed", { header: "Impressions billed", cell: (c) => count(c.getValue()) }),
  amount("billed", "Billed"),
  amount("first_party_value", "First-party value"),
  amount("value_at_stake", "Value at stake"),
  col.accessor("unpriced", { header: "Cannot price", enableSorting: false,
    cell: (c) => (c.getValue().length ? c.getValue().join(", ").replace(/_/g, " ") : "—") }),
];

export function Measurement() {
  const [params, setParams] = useSearchParams();
  const asked = params.get("period") ?? "";
  const filter: MeasurementFilter = { period: PERIOD.test(asked) ? asked : lastBilledPeriod(),
    contract_id: params.get("contract_id") ?? undefined };
  const form = useForm<{ period: string; contract_id: string }>({
    values: { period: filter.period, contract_id: filter.contract_id ?? "" } });
  return (
    <section aria-labelledby="measurement">
      <h2 id="measurement">First-party against third-party impressions</h2>
      <p>
        Per contract line billed on impressions: the ad server's (first-party) count against the third-party count,
        the discrepancy against the contract's threshold, what the issued invoices billed and the value at stake
        (what first-party impressions would bill minus what was billed).
      </p>
      <form className="filters" aria-label="Measurement filters"
        onSubmit={form.handleSubmit((v) => setParams({ view: "measurement", period: v.period,
          ...(v.contract_id ? { contract_id: v.contract_id } : {}) }))}>
        <Field id="measurement-period" label="Service period (YYYY-MM)">
          <input id="measurement-period" {...form.register("period")} />
        </Field>
        <Field id="measurement-contract" label="Contract">
          <input id="measurement-contract" {...form.register("contract_id")} />
        </Field>
        <div className="field"><button type="submit">Show</button></div>
      </form>
      <Totals filter={filter} />
      <Lines key={`${filter.period}/${filter.contract_id ?? ""}`} filter={filter} />
    </section>
  );
}

function Totals({ filter }: { filter: MeasurementFilter }) {
  const totals = useMeasurementTotals(filter);
  return (
    <>
      <ProblemMessage error={totals.error} />
      {totals.data ? (
        <table>
          <caption>Totals for {filter.period}{filter.contract_id ? `, contract ${filter.contract_id}` : ""}, per currency</caption>
          <thead>
            <tr>
              <th scope="col">Currency</th><th scope="col">Lines</th><th scope="col">Beyond threshold</th>
              <th scope="col">Third-party missing</th><th scope="col">Cannot price</th><th scope="col">Billed</th>
              <th scope="col">First-party value</th><th scope="col">Value at stake</th>
            </tr>
          </thead>
          <tbody>
            {totals.data.totals.length === 0 ? <tr><td colSpan={8}>No line billed on impressions in this period.</td></tr> : null}
            {totals.data.totals.map((t) => (
              <tr key={t.currency}>
                <th scope="row">{t.currency}</th>
                <td className="num">{count(t.lines)}</td>
                <td className="num">{count(t.beyond_threshold)}</td>
                <td className="num">{count(t.missing_third_party)}</td>
                <td className="num">{count(t.unpriced_lines)}</td>
                <td className="num">{money(t.billed, t.currency)}</td>
                <td className="num">{money(t.first_party_value, t.currency)}</td>
                <td className="num" data-testid={`value-at-stake-${t.currency}`}>{money(t.value_at_stake, t.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

function Lines({ filter }: { filter: MeasurementFilter }) {
  const pages = useCursors();
  const page = useMeasurement(filter, pages.cursor);
  return (
    <>
      <ProblemMessage error={page.error} />
      {page.isPending ? <p role="status">Measuring…</p> : null}
      {page.data ? (
        <>
          <DataTable caption={`Contract lines billed on impressions, ${filter.period} (page ${pages.page})`}
            data={page.data.items} columns={columns} empty="No line billed on impressions in this period." />
          <Pager back={pages.back} on={pages.on(page.data.next_cursor)} />
        </>
      ) : null}
    </>
  );
}
