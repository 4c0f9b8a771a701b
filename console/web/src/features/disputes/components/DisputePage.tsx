import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useForm } from "react-hook-form";
import { RootCauseSelect, type RootCause } from "../../../components/RootCauseSelect";
import { Link, useParams } from "react-router-dom";
import { Field } from "../../../components/Field";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { disputeApi, idempotencyKey } from "../../../lib/api/clients";
import { described, showProblem } from "../../../lib/forms";
import { money, timestamp } from "../../../lib/format";
import { unwrap } from "../../../lib/problem";
import { hasRole, useSession } from "../../../lib/session";
import { useDispute, type Dispute } from "../api/disputes";
import { Evidence } from "./Evidence";

export function DisputePage() {
  const { disputeId = "" } = useParams();
  const dispute = useDispute(disputeId);
  if (dispute.error) return <ProblemMessage error={dispute.error} />;
  if (!dispute.data) return <p role="status">Loading the dispute…</p>;
  const d = dispute.data;
  return (
    <>
      <h1>Dispute {d.dispute_id}</h1>
      <section className="panel" aria-labelledby="dispute-facts">
        <h2 id="dispute-facts">Dispute</h2>
        <dl className="facts">
          <dt>Invoice</dt><dd><Link to={`/invoices/${d.invoice_id}`}>{d.invoice_number}</Link></dd>
          <dt>Status</dt><dd>{d.status}</dd>
          <dt>Reason</dt><dd>{d.reason_code}</dd>
          <dt>Description</dt><dd>{d.description}</dd>
          <dt>Disputed</dt><dd>{money(d.amount, d.currency)}</dd>
          <dt>Opened</dt><dd>{timestamp(d.opened_at)} by {d.opened_by}</dd>
          <dt>Assignee</dt><dd>{d.assignee ?? "—"}</dd>
          <dt>Resolve by</dt><dd className={d.sla.overdue ? "overdue" : undefined}>{timestamp(d.sla.resolution_due_at)}{d.sla.overdue ? " (overdue)" : ""}</dd>
          {d.outcome ? (<><dt>Outcome</dt><dd>{d.outcome}, credit {money(d.credit_amount, d.currency)}: {d.resolution_note}</dd></>) : null}
        </dl>
      </section>
      <Evidence disputeId={d.dispute_id} />
      {d.status === "open" || d.status === "in_review" ? <DisputeActions dispute={d} /> : null}
    </>
  );
}

interface ResolveForm {
  outcome: string;
  credit_amount: string;
  resolution_note: string;
  root_cause: RootCause | "";
}

function DisputeActions({ dispute }: { dispute: Dispute }) {
  const { person } = useSession();
  const client = useQueryClient();
  const form = useForm<ResolveForm>({ defaultValues: { outcome: "upheld", credit_amount: dispute.amount, resolution_note: "", root_cause: "" } });
  const done = () => void client.invalidateQueries();
  const assign = useMutation({
    mutationFn: async () => unwrap(await disputeApi.POST("/v1/disputes/{dispute_id}/assign", {
      params: { path: { dispute_id: dispute.dispute_id } }, body: { assignee: person?.sub ?? "" },
      headers: { "Idempotency-Key": idempotencyKey() } })),
    onSuccess: done,
  });
  const resolve = useMutation({
    mutationFn: async (v: ResolveForm) => unwrap(await disputeApi.POST("/v1/disputes/{dispute_id}/resolve", {
      params: { path: { dispute_id: dispute.dispute_id } }, body: { ...v, root_cause: v.root_cause || null },
      headers: { "Idempotency-Key": idempotencyKey() } })),
    onSuccess: done,
    onError: (e) => showProblem(form, e, ["outcome", "credit_amount", "resolution_note", "root_cause"]),
  });
  if (!hasRole(person, "billing-analyst")) return null;
  const errors = form.formState.errors;
  return (
    <section className="panel" aria-labelledby="resolve">
      <h2 id="resolve">Work on the dispute</h2>
      {dispute.assignee !== person?.sub ? (
        <p>
          <button type="button" className="secondary" onClick={() => assign.mutate()} disabled={assign.isPending}>Assign to me</button>
        </p>
      ) : null}
      <ProblemMessage error={assign.error} />
      {dispute.status === "open" ? <p>Assign the dispute to review and resolve it.</p> : (
      <form onSubmit={form.handleSubmit((v) => resolve.mutate(v))} aria-label="Resolve the dispute">
        <Field id="resolve-outcome" label="Outcome" error={errors.outcome?.message}>
          <select id="resolve-outcome" {...form.register("outcome")} {...described("resolve-outcome", errors.outcome?.message)}>
            <option value="upheld">upheld (credit the disputed amount)</option>
            <option value="partially_upheld">partially upheld</option>
            <option value="rejected">rejected (no credit)</option>
          </select>
        </Field>
        <Field id="resolve-credit" label={`Credit amount (${dispute.currency})`} error={errors.credit_amount?.message}>
          <input id="resolve-credit" inputMode="decimal" {...form.register("credit_amount")} {...described("resolve-credit", errors.credit_amount?.message)} />
        </Field>
        <Field id="resolve-root-cause" label="Root cause" error={errors.root_cause?.message}>
          <RootCauseSelect id="resolve-root-cause" {...form.register("root_cause")} {...described("resolve-root-cause", errors.root_cause?.message)} />
        </Field>
        <Field id="resolve-note" label="Resolution note" error={errors.resolution_note?.message}>
          <textarea id="resolve-note" rows={2} {...form.register("resolution_note")} {...described("resolve-note", errors.resolution_note?.message)} />
        </Field>
        {errors.root ? <p role="alert" className="problem">{errors.root.message}</p> : null}
        <button type="submit" disabled={resolve.isPending}>Resolve the dispute</button>
      </form>
      )}
    </section>
  );
}
