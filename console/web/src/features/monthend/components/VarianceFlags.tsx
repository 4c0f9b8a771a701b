import { createColumnHelper } from "@tanstack/react-table";
import { Link } from "react-router-dom";
import { DataTable } from "../../../components/DataTable";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { money } from "../../../lib/format";
import { useVariance, type VarianceLine } from "../api/monthend";

const pct = (value: string | null) => (value === null ? "" : ` (${value}%)`);
const v = createColumnHelper<VarianceLine>();
const columns = [
  v.accessor("contract_id", { header: "Contract", cell: (c) => <Link to={`/invoices?contract_id=${encodeURIComponent(c.getValue())}`}>{c.getValue()}</Link> }),
  v.accessor("line_item_id", { header: "Line item" }),
  v.accessor("product_code", { header: "Product" }),
  v.accessor("booked", { header: "Booked", cell: (c) => money(c.getValue(), c.row.original.currency), enableSorting: false }),
  v.accessor("delivered", { header: "Delivered", cell: (c) => money(c.getValue(), c.row.original.currency), enableSorting: false }),
  v.accessor("billed", { header: "Billed", cell: (c) => money(c.getValue(), c.row.original.currency), enableSorting: false }),
  v.accessor("delivered_vs_booked", { header: "Delivered − booked", enableSorting: false,
    cell: (c) => `${money(c.getValue(), c.row.original.currency)}${pct(c.row.original.delivered_vs_booked_pct)}` }),
  v.accessor("billed_vs_delivered", { header: "Billed − delivered", enableSorting: false,
    cell: (c) => `${money(c.getValue(), c.row.original.currency)}${pct(c.row.original.billed_vs_delivered_pct)}` }),
];

/** The contract lines invoice-svc flags beyond its threshold (booked vs delivered vs billed, gross). */
export function VarianceFlags({ period }: { period: string }) {
  const variance = useVariance(period);
  const flagged = (variance.data?.lines ?? []).filter((l) => l.flagged);
  return (
    <section aria-labelledby="variance">
      <h3 id="variance">Variance</h3>
      <ProblemMessage error={variance.error} />
      {variance.data ? (
        <>
          <p>{flagged.length} of {variance.data.lines.length} contract lines differ by more than {variance.data.threshold_pct}%.</p>
          <DataTable caption={`Contract lines of ${period} flagged beyond ${variance.data.threshold_pct}%`} data={flagged}
            columns={columns} empty="No contract line is flagged." />
        </>
      ) : null}
    </section>
  );
}
