import { createColumnHelper } from "@tanstack/react-table";
import { useState } from "react";
import { Link } from "react-router-dom";
import { DataTable } from "../../../components/DataTable";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { money, timestamp } from "../../../lib/format";
import { useDisputes, type Dispute } from "../api/disputes";

const column = createColumnHelper<Dispute>();
const columns = [
  column.accessor("dispute_id", { header: "Dispute", cell: (c) => <Link to={`/disputes/${c.getValue()}`}>{c.getValue()}</Link> }),
  column.accessor("invoice_number", { header: "Invoice" }),
  column.accessor("bill_to_account_id", { header: "Bill-to" }),
  column.accessor("reason_code", { header: "Reason" }),
  column.accessor("amount", { header: "Disputed", cell: (c) => money(c.getValue(), c.row.original.currency) }),
  column.accessor("status", { header: "Status" }),
  column.accessor("assignee", { header: "Assignee", cell: (c) => c.getValue() ?? "—" }),
  column.accessor((d) => d.sla.resolution_due_at, {
    id: "due", header: "Resolve by",
    cell: (c) => <span className={c.row.original.sla.overdue ? "overdue" : undefined}>{timestamp(c.getValue())}{c.row.original.sla.overdue ? " (overdue)" : ""}</span>,
  }),
];

/** The queue: overdue first, then by the SLA's resolution due time (the soonest first). */
function queueOrder(items: Dispute[]): Dispute[] {
  return [...items].sort((a, b) =>
    Number(b.sla.overdue) - Number(a.sla.overdue) || a.sla.resolution_due_at.localeCompare(b.sla.resolution_due_at));
}

export function DisputeListPage() {
  const [status, setStatus] = useState("open");
  const [overdue, setOverdue] = useState(false);
  const disputes = useDisputes(status, overdue);
  return (
    <>
      <h1>Disputes</h1>
      <form className="filters" aria-label="Filter disputes" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="dispute-status">Status</label>
          <select id="dispute-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">any</option>
            <option value="open">open</option>
            <option value="in_review">in review</option>
            <option value="resolved">resolved</option>
            <option value="withdrawn">withdrawn</option>
          </select>
        </div>
        <div className="field">
          <label>
            <input type="checkbox" checked={overdue} onChange={(e) => setOverdue(e.target.checked)} /> Overdue only
          </label>
        </div>
      </form>
      <ProblemMessage error={disputes.error} />
      {disputes.isPending ? <p role="status">Loading disputes…</p> : (
        <DataTable caption="Dispute queue (overdue first)" data={queueOrder(disputes.data?.items ?? [])} columns={columns} empty="No disputes." />
      )}
    </>
  );
}
