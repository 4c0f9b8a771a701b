import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router-dom";
import { Field } from "../../../components/Field";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { RootCauseSelect, type RootCause } from "../../../components/RootCauseSelect";
import { adjustmentApi, idempotencyKey } from "../../../lib/api/clients";
import { money, timestamp } from "../../../lib/format";
import { unwrap } from "../../../lib/problem";
import { useSession } from "../../../lib/session";
import { useInbox, usePending, type Adjustment } from "../api/approvals";

export function ApprovalsPage() {
  const { person } = useSession();
  const inbox = useInbox();
  const pending = usePending();
  const approvable = new Set((inbox.data?.items ?? []).map((a) => a.adjustment_id));
  // Pending requests the person may not approve (their own, or needing another role) are shown without buttons.
  const others = (pending.data?.items ?? []).filter((a) => !approvable.has(a.adjustment_id));
  return (
    <>
      <h1>Approvals</h1>
      <section aria-labelledby="inbox">
        <h2 id="inbox">My inbox</h2>
        <ProblemMessage error={inbox.error} />
        {inbox.isPending ? <p role="status">Loading…</p> : null}
        {inbox.data && inbox.data.items.length === 0 ? <p>Nothing waits for your approval.</p> : null}
        {(inbox.data?.items ?? []).map((a) => <Request key={a.adjustment_id} adjustment={a} decide />)}
      </section>
      <section aria-labelledby="waiting">
        <h2 id="waiting">Waiting for someone else</h2>
        <ProblemMessage error={pending.error} />
        {others.length === 0 ? <p>None.</p> : null}
        {others.map((a) => (
          <Request key={a.adjustment_id} adjustment={a} decide={false}
            why={a.requested_by === person?.sub ? "You requested this; another person approves it." : `Needs: ${a.approvals_still_needed.join(", ")}`} />
        ))}
      </section>
    </>
  );
}

function Request({ adjustment: a, decide, why }: { adjustment: Adjustment; decide: boolean; why?: string }) {
  const client = useQueryClient();
  const [note, setNote] = useState("");
  // A credit that settles a dispute keeps the dispute's cause (oversight.md O4: counted once), so it is shown, not
  // asked; any other request's approver confirms or corrects the requester's cause.
  const [rootCause, setRootCause] = useState<RootCause | "">((a.root_cause as RootCause | null) ?? "");
  const cause = a.dispute_id ? null : rootCause || null;
  const done = () => void client.invalidateQueries();
  const path = { params: { path: { adjustment_id: a.adjustment_id } }, headers: { "Idempotency-Key": idempotencyKey() } };
  const approve = useMutation({
    mutationFn: async () => unwrap(await adjustmentApi.POST("/v1/adjustments/{adjustment_id}/approve", { ...path, body: { comment: note || null, root_cause: cause } })),
    onSuccess: done,
  });
  const reject = useMutation({
    mutationFn: async () => unwrap(await adjustmentApi.POST("/v1/adjustments/{adjustment_id}/reject", { ...path, body: { reason: note || null, root_cause: cause } })),
    onSuccess: done,
  });
  const noteId = `note-${a.adjustment_id}`;
  const causeId = `root-cause-${a.adjustment_id}`;
  return (
    <article className="panel" aria-label={`${a.kind} request ${a.adjustment_id}`}>
      <h3>{a.kind === "credit" ? "Credit" : "Debit"} of {money(a.total, a.currency)} ({a.reason_code})</h3>
      <dl className="facts">
        <dt>Invoice</dt><dd><Link to={`/invoices/${a.invoice_id}`}>{a.invoice_id}</Link></dd>
        <dt>Dispute</dt><dd>{a.dispute_id ? <Link to={`/disputes/${a.dispute_id}`}>{a.dispute_id}</Link> : "—"}</dd>
        <dt>Requested</dt><dd>{timestamp(a.requested_at)} by {a.requested_by}</dd>
        <dt>Note</dt><dd>{a.note}</dd>
        <dt>Root cause</dt><dd>{a.root_cause ? a.root_cause.replace(/_/g, " ") : "—"}{a.dispute_id && a.root_cause ? " (the dispute's)" : ""}</dd>
        <dt>Approval</dt><dd>{a.approval_level}; still needed: {a.approvals_still_needed.join(", ") || "none"}</dd>
      </dl>
      {why ? <p>{why}</p> : null}
      {decide ? (
        <>
          <Field id={noteId} label="Note (a rejection needs one)">
            <input id={noteId} value={note} onChange={(e) => setNote(e.target.value)} />
          </Field>
          {a.dispute_id ? null : (
            <Field id={causeId} label="Root cause">
              <RootCauseSelect id={causeId} value={rootCause} onChange={(e) => setRootCause(e.target.value as RootCause | "")} />
            </Field>
          )}
          <ProblemMessage error={approve.error ?? reject.error} />
          <p>
            <button type="button" onClick={() => approve.mutate()} disabled={approve.isPending}>Approve</button>{" "}
            <button type="button" className="secondary" onClick={() => reject.mutate()} disabled={reject.isPending}>Reject</button>
          </p>
        </>
      ) : null}
    </article>
  );
}
