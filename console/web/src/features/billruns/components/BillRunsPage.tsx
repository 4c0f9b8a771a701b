import { useMutation, useQueries, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Link } from "react-router-dom";
import { Facts } from "../../../components/Facts";
import { Field } from "../../../components/Field";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { idempotencyKey, invoiceApi } from "../../../lib/api/clients";
import { described, showProblem } from "../../../lib/forms";
import { money, timestamp } from "../../../lib/format";
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
      <RaisedExceptions runId={run.run_id} ids={run.exception_ids} />
    </article>
  );
}

const SHOWN_EXCEPTIONS = 25;

/** The billing exceptions a run raised (the run lists their ids), read on request: kind, account, value held back
 * and where each stands now. */
function RaisedExceptions({ runId, ids }: { runId: string; ids: string[] }) {
  const [shown, setShown] = useState(false);
  const found = useQueries({
    queries: (shown ? ids.slice(0, SHOWN_EXCEPTIONS) : []).map((id) => ({
      queryKey: ["exception", id],
      queryFn: async () => unwrap(await invoiceApi.GET("/v1/exceptions/{exception_id}", { params: { path: { exception_id: id } } })),
    })),
  });
  if (ids.length === 0) return <p>No exceptions raised.</p>;
  if (!shown) {
    return (
      <p>
        {ids.length.toLocaleString()} exceptions raised.{" "}
        <button type="button" className="secondary" onClick={() => setShown(true)}>Show the exceptions it raised</button>
      </p>
    );
  }
  const error = found.find((q) => q.error)?.error ?? null;
  return (
    <section aria-label={`Exceptions raised by bill run ${runId}`}>
      <h3>Exceptions raised{ids.length > SHOWN_EXCEPTIONS ? ` (the first ${SHOWN_EXCEPTIONS} of ${ids.length.toLocaleString()})` : ""}</h3>
      <ProblemMessage error={error} />
      <table aria-label={`Exceptions raised by bill run ${runId}`}>
        <thead><tr><th scope="col">Exception</th><th scope="col">Kind</th><th scope="col">Account</th><th scope="col">Value at risk</th><th scope="col">Status now</th></tr></thead>
        <tbody>
          {found.map((q, i) => {
            const e = q.data;
            return (
              <tr key={ids[i]}>
                <th scope="row">{ids[i]}</th>
                <td>{e?.kind ?? "…"}</td>
                <td>{e?.account_id ?? "—"}</td>
                <td>{e ? (e.currency ? money(e.value_at_risk, e.currency) : "unpriced") : "…"}</td>
                <td>{e?.status ?? "…"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p>Work them in <Link to="/exceptions">Exceptions</Link>.</p>
    </section>
  );
}
