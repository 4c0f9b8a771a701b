import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useForm } from "react-hook-form";
import { Facts } from "../../../components/Facts";
import { Field } from "../../../components/Field";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { idempotencyKey, invoiceApi } from "../../../lib/api/clients";
import { described, showProblem } from "../../../lib/forms";
import { timestamp } from "../../../lib/format";
import { unwrap } from "../../../lib/problem";
import { hasRole, useSession } from "../../../lib/session";
import { useBillRuns, type BillRun } from "../api/billruns";

interface RunForm {
  period: string;
  mode: "preview" | "issue";
  source_system: string;
}

export function BillRunsPage() {
  const { person } = useSession();
  const client = useQueryClient();
  const runs = useBillRuns();
  const manager = hasRole(person, "billing-manager");
  const form = useForm<RunForm>({ defaultValues: { period: "", mode: "preview", source_system: "" } });
  const start = useMutation({
    mutationFn: async (v: RunForm) => unwrap(await invoiceApi.POST("/v1/bill-runs", {
      body: { period: v.period, mode: v.mode, ...(v.source_system ? { source_system: v.source_system } : {}) }, headers: { "Idempotency-Key": idempotencyKey() } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["bill-runs"] }),
    onError: (e) => showProblem(form, e, ["period", "mode", "source_system"]),
  });
  const errors = form.formState.errors;
  return (
    <>
      <h1>Bill runs</h1>
      {hasRole(person, "billing-analyst") ? (
        <form className="panel filters" aria-labelledby="start-run" onSubmit={form.handleSubmit((v) => start.mutate(v))}>
          <h2 id="start-run" style={{ width: "100%" }}>Start a bill run</h2>
          <Field id="run-period" label="Period (YYYY-MM)" error={errors.period?.message}>
            <input id="run-period" {...form.register("period")} {...described("run-period", errors.period?.message)} />
          </Field>
          <Field id="run-mode" label="Mode" error={errors.mode?.message}>
            <select id="run-mode" {...form.register("mode")}>
              <option value="preview">preview (drafts, nothing issued)</option>
              {manager ? <option value="issue">issue</option> : null}
            </select>
          </Field>
          <Field id="run-source" label="Shadow preview: as if this delivery source billed (optional)" error={errors.source_system?.message}>
            <input id="run-source" {...form.register("source_system")} {...described("run-source", errors.source_system?.message)} />
          </Field>
          {errors.root ? <p role="alert" className="problem">{errors.root.message}</p> : null}
          <div className="field"><button type="submit" disabled={start.isPending}>Start</button></div>
        </form>
      ) : null}
      <ProblemMessage error={runs.error} />
      {(runs.data?.items ?? []).map((run) => <Run key={run.run_id} run={run} />)}
      {runs.data && runs.data.items.length === 0 ? <p>No bill runs yet.</p> : null}
    </>
  );
}

function Run({ run }: { run: BillRun }) {
  return (
    <article className="panel" aria-label={`Bill run ${run.run_id}`}>
      <h2>{run.mode === "issue" ? "Issue" : run.source_system ? `Shadow preview (as ${run.source_system})` : "Preview"} run for {run.period}: {run.status}</h2>
      <p>Requested {timestamp(run.requested_at)} by {run.requested_by}; finished {timestamp(run.finished_at)}</p>
      {run.error ? <p className="problem">{run.error}</p> : null}
      <div className="side-by-side">
        <section aria-label="Progress"><h3>Progress</h3><Facts value={run.progress} /></section>
        <section aria-label="Counts"><h3>Counts</h3><Facts value={run.counts} /></section>
        <section aria-label="Totals"><h3>Totals</h3><Facts value={run.totals} /></section>
      </div>
      <p>{run.exception_ids.length} exceptions raised; see Exceptions.</p>
    </article>
  );
}
