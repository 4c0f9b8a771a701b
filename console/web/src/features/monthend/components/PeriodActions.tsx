import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Field } from "../../../components/Field";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { accountingApi } from "../../../lib/api/clients";
import { described, showProblem } from "../../../lib/forms";
import { ProblemError, unwrap } from "../../../lib/problem";
import { hasRole, useSession } from "../../../lib/session";
import type { CloseRefusal, PeriodState } from "../api/monthend";

const DIRECTOR_ONLY = "Only a billing director closes or reopens a period (close.md C11).";

/** Close an open period (with a confirmation) or reopen the latest closed one (with a reason): billing-director. */
export function PeriodActions({ state, latestClosed }: { state: PeriodState; latestClosed: string | undefined }) {
  const { person } = useSession();
  if (!hasRole(person, "billing-director")) return <p>{DIRECTOR_ONLY}</p>;
  if (state.status === "open") return <ClosePeriod period={state.period} />;
  if (state.period !== latestClosed) {
    return <p>{state.period} is closed; only the latest closed period ({latestClosed}) can be reopened.</p>;
  }
  return <ReopenPeriod period={state.period} />;
}

function useRefresh() {
  const client = useQueryClient();
  // Closing posts the accrual and its reversal: the calendar, the checklist and every report change.
  return () => void client.invalidateQueries();
}

function ClosePeriod({ period }: { period: string }) {
  const refresh = useRefresh();
  const [confirming, setConfirming] = useState(false);
  const close = useMutation({
    mutationFn: async () => unwrap(await accountingApi.POST("/v1/periods/{period}/close", { params: { path: { period } } })),
    onSuccess: refresh,
    onSettled: () => setConfirming(false),
  });
  return (
    <div className="panel" role="group" aria-labelledby="close-period">
      <h3 id="close-period">Close {period}</h3>
      <p>Closing takes the unbilled snapshot, checks the list again, posts the unbilled accrual (reversed on the next
        period's first day) and locks the period: what it still owes is billed on the next period's invoices.</p>
      {confirming ? (
        <p>
          <strong>Close {period} now?</strong>{" "}
          <button type="button" onClick={() => close.mutate()} disabled={close.isPending}>Confirm close of {period}</button>{" "}
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>Cancel</button>
        </p>
      ) : (
        <button type="button" onClick={() => setConfirming(true)}>Close {period}…</button>
      )}
      <CloseRefused error={close.error} />
    </div>
  );
}

function CloseRefused({ error }: { error: unknown }) {
  if (!error) return null;
  const failing = error instanceof ProblemError ? (error.problem as CloseRefusal).failing ?? [] : [];
  return (
    <>
      <ProblemMessage error={error} />
      {failing.length > 0 ? (
        <ul aria-label="Failing checklist items">
          {failing.map((f) => <li key={f.item}><strong>{f.item.replace(/_/g, " ")}</strong>: {f.why}</li>)}
        </ul>
      ) : null}
    </>
  );
}

interface ReopenForm {
  reason: string;
}

function ReopenPeriod({ period }: { period: string }) {
  const refresh = useRefresh();
  const form = useForm<ReopenForm>({ defaultValues: { reason: "" } });
  const reopen = useMutation({
    mutationFn: async (v: ReopenForm) => unwrap(await accountingApi.POST("/v1/periods/{period}/reopen", {
      params: { path: { period } }, body: { reason: v.reason } })),
    onSuccess: () => { form.reset(); refresh(); },
    onError: (e) => showProblem(form, e, ["reason"]),
  });
  const errors = form.formState.errors;
  return (
    <form className="panel" aria-labelledby="reopen-period" onSubmit={form.handleSubmit((v) => reopen.mutate(v))}>
      <h3 id="reopen-period">Reopen {period}</h3>
      <p>{period} is the latest closed period. Reopening reverses nothing already posted; closing it again posts only
        the difference in the accrual. The reason is kept in the audit trail.</p>
      <Field id="reopen-reason" label="Reason for reopening" error={errors.reason?.message}>
        <textarea id="reopen-reason" rows={2} {...form.register("reason", { required: "Say why the period is reopened." })}
          {...described("reopen-reason", errors.reason?.message)} />
      </Field>
      {errors.root ? <p role="alert" className="problem">{errors.root.message}</p> : null}
      <button type="submit" disabled={reopen.isPending}>Reopen {period}</button>
    </form>
  );
}
