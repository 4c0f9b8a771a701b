import { useMutation, useQueryClient } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useState } from "react";
import { DataTable } from "../../../components/DataTable";
import { RootCauseSelect, type RootCause } from "../../../components/RootCauseSelect";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { idempotencyKey, invoiceApi } from "../../../lib/api/clients";
import { money, timestamp } from "../../../lib/format";
import { unwrap } from "../../../lib/problem";
import { hasRole, useSession } from "../../../lib/session";
import { useExceptions, type BillingException } from "../api/exceptions";

const column = createColumnHelper<BillingException>();

export function ExceptionsPage() {
  const { person } = useSession();
  const client = useQueryClient();
  const [status, setStatus] = useState("open");
  const [kind, setKind] = useState("");
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [resolving, setResolving] = useState<BillingException | null>(null);
  const exceptions = useExceptions(status, kind);
  const analyst = hasRole(person, "billing-analyst");
  const assign = useMutation({
    mutationFn: async (ids: string[]) => {
      for (const id of ids) {
        unwrap(await invoiceApi.POST("/v1/exceptions/{exception_id}/assign", {
          params: { path: { exception_id: id } }, body: { assignee: person?.sub ?? "" },
          headers: { "Idempotency-Key": idempotencyKey() } }));
      }
    },
    onSuccess: () => {
      setSelected(new Set());
      void client.invalidateQueries({ queryKey: ["exceptions"] });
    },
  });
  const toggle = (id: string) => setSelected((now) => {
    const next = new Set(now);
    if (next.has(id)) next.delete(id); else next.add(id);
    return next;
  });
  const columns = [
    column.display({
      id: "select", header: "Select",
      cell: (c) => <input type="checkbox" aria-label={`Select exception ${c.row.original.exception_id}`}
        checked={selected.has(c.row.original.exception_id)} onChange={() => toggle(c.row.original.exception_id)} />,
    }),
    column.accessor("kind", { header: "Kind" }),
    column.accessor("account_id", { header: "Account", cell: (c) => c.getValue() ?? "—" }),
    column.accessor((e) => Number(e.value_at_risk ?? 0), {
      id: "value", header: "Value at risk",
      cell: (c) => (c.row.original.currency ? money(c.row.original.value_at_risk, c.row.original.currency) : "unpriced"),
    }),
    column.accessor("age_hours", { header: "Age (hours)", cell: (c) => Math.floor(c.getValue()) }),
    column.accessor("raised_at", { header: "Raised", cell: (c) => timestamp(c.getValue()) }),
    column.accessor("assignee", { header: "Assignee", cell: (c) => c.getValue() ?? "—" }),
    column.accessor("status", { header: "Status" }),
    column.display({
      id: "actions", header: "Actions",
      cell: (c) => analyst && c.row.original.status !== "resolved" ? (
        <button type="button" className="secondary" onClick={() => setResolving(c.row.original)}
          aria-label={`Resolve exception ${c.row.original.exception_id}`}>Resolve</button>
      ) : null,
    }),
  ];
  return (
    <>
      <h1>Exceptions</h1>
      <form className="filters" aria-label="Filter exceptions" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="exception-status">Status</label>
          <select id="exception-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">any</option>
            <option value="open">open</option>
            <option value="assigned">assigned</option>
            <option value="unresolved">open or assigned</option>
            <option value="resolved">resolved</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="exception-kind">Kind</label>
          <input id="exception-kind" value={kind} onChange={(e) => setKind(e.target.value)} />
        </div>
        {analyst ? (
          <div className="field">
            <button type="button" disabled={selected.size === 0 || assign.isPending} onClick={() => assign.mutate([...selected])}>
              Assign selected to me ({selected.size})
            </button>
          </div>
        ) : null}
      </form>
      <ProblemMessage error={exceptions.error ?? assign.error} />
      {resolving ? <ResolveException exception={resolving} onDone={() => setResolving(null)} /> : null}
      {exceptions.isPending ? <p role="status">Loading the queue…</p> : (
        <DataTable caption="Exception queue (sort by value or age)" data={exceptions.data?.items ?? []} columns={columns} empty="No exceptions." />
      )}
    </>
  );
}

function ResolveException({ exception, onDone }: { exception: BillingException; onDone: () => void }) {
  const client = useQueryClient();
  const [resolution, setResolution] = useState("");
  const [rootCause, setRootCause] = useState<RootCause | "">("");
  const resolve = useMutation({
    mutationFn: async () => unwrap(await invoiceApi.POST("/v1/exceptions/{exception_id}/resolve", {
      params: { path: { exception_id: exception.exception_id } }, body: { resolution, root_cause: rootCause || null },
      headers: { "Idempotency-Key": idempotencyKey() } })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["exceptions"] });
      onDone();
    },
  });
  return (
    <form className="panel" aria-labelledby="resolve-exception" onSubmit={(e) => { e.preventDefault(); resolve.mutate(); }}>
      <h2 id="resolve-exception">Resolve the {exception.kind} exception on {exception.account_id ?? "—"}</h2>
      <div className="field">
        <label htmlFor="exception-root-cause">Root cause</label>
        <RootCauseSelect id="exception-root-cause" value={rootCause} onChange={(e) => setRootCause(e.target.value as RootCause | "")} />
      </div>
      <div className="field">
        <label htmlFor="exception-resolution">What was done and why</label>
        <textarea id="exception-resolution" rows={2} value={resolution} onChange={(e) => setResolution(e.target.value)} />
      </div>
      <ProblemMessage error={resolve.error} />
      <button type="submit" disabled={resolve.isPending}>Resolve</button>{" "}
      <button type="button" className="secondary" onClick={onDone}>Cancel</button>
    </form>
  );
}
