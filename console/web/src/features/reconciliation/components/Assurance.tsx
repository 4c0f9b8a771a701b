import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useForm } from "react-hook-form";
import { Link } from "react-router-dom";
import { Field } from "../../../components/Field";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { idempotencyKey, invoiceApi } from "../../../lib/api/clients";
import { described, showProblem } from "../../../lib/forms";
import { count, money, timestamp } from "../../../lib/format";
import { lastBilledPeriod } from "../../../lib/periods";
import { unwrap } from "../../../lib/problem";
import { hasRole, useSession } from "../../../lib/session";
import { useAssuranceRuns, useDriftedInvoices, type AssuranceRun, type BillingException } from "../api/reconciliation";

/** Continuous billing assurance (oversight.md O3): re-price issued invoices and show the ones that drifted. */
export function Assurance() {
  const { person } = useSession();
  const runs = useAssuranceRuns();
  const latest = runs.data?.items[0];
  return (
    <>
      <section aria-labelledby="assurance">
        <h2 id="assurance">Billing assurance</h2>
        <p>
          An assurance run re-prices every issued, non-void invoice of the periods with the terms and inputs in effect
          when it was issued. An invoice that would now bill differently has drifted: it gets one invoice_drift
          exception, refreshed by later runs. Runs go on in the background: leave this page and come back to follow them.
        </p>
        {hasRole(person, "billing-analyst") ? <StartRun /> : null}
        <ProblemMessage error={runs.error} />
        {runs.data && runs.data.items.length === 0 ? <p>No assurance run yet.</p> : null}
        {(runs.data?.items ?? []).slice(0, 5).map((run) => <Run key={run.run_id} run={run} />)}
      </section>
      <DriftedInvoices refreshKey={`${latest?.run_id ?? ""}/${latest?.status ?? ""}`} />
    </>
  );
}

function StartRun() {
  const client = useQueryClient();
  const form = useForm<{ periods: string }>({ defaultValues: { periods: lastBilledPeriod() } });
  const start = useMutation({
    mutationFn: async (periods: string[]) => unwrap(await invoiceApi.POST("/v1/assurance-runs", {
      body: { periods }, headers: { "Idempotency-Key": idempotencyKey() } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["assurance-runs"] }),
    onError: (e) => showProblem(form, e, ["periods"]),
  });
  const errors = form.formState.errors;
  return (
    <form className="panel filters" aria-label="Start an assurance run" onSubmit={form.handleSubmit((v) => {
      form.clearErrors();
      start.mutate(v.periods.split(/[\s,]+/).filter(Boolean));
    })}>
      <Field id="assurance-periods" label="Periods (YYYY-MM, separated by commas)" error={errors.periods?.message}>
        <input id="assurance-periods" {...form.register("periods")} {...described("assurance-periods", errors.periods?.message)} />
      </Field>
      <div className="field"><button type="submit" disabled={start.isPending}>Start an assurance run</button></div>
      {errors.root ? <p role="alert" className="problem" style={{ width: "100%" }}>{errors.root.message}</p> : null}
    </form>
  );
}

// The parts of a run's value per currency, as invoice-svc names them (a part it found nothing of is left out).
const VALUE_PART: Record<string, string> = {
  drifted: "drifted (credit and debit added, never netted)", credit: "credit", debit: "debit",
  pending_adjustment: "pending adjustment",
};

function Run({ run }: { run: AssuranceRun }) {
  const done = run.progress.done ?? 0;
  const total = run.progress.total ?? undefined;
  return (
    <article className="panel" aria-label={`Assurance run ${run.run_id}`}>
      <h3>Assurance run over {run.periods.join(", ")}: {run.status}</h3>
      <p>Requested {timestamp(run.requested_at)} by {run.requested_by}; finished {timestamp(run.finished_at)}</p>
      <p>
        <label htmlFor={`progress-${run.run_id}`}>Invoices checked: {count(done)}{total !== undefined ? ` of ${count(total)}` : ""}</label>{" "}
        <progress id={`progress-${run.run_id}`} value={done} max={total ?? undefined} />
      </p>
      {run.error ? <p className="problem">{run.error}</p> : null}
      <dl className="facts" aria-label={`Findings of assurance run ${run.run_id}`}>
        <dt>Matched</dt><dd>{count(run.matched)}</dd>
        <dt>Drifted</dt><dd>{count(run.drifted)}</dd>
        <dt>Could not be re-priced</dt><dd>{count(run.unverifiable)}</dd>
        <dt>Pending adjustments (not drift)</dt><dd>{count(run.pending_adjustments)}</dd>
        {Object.entries(run.value_drifted).map(([currency, v]) => (
          <div key={currency} style={{ display: "contents" }}>
            <dt>Value drifted ({currency})</dt>
            <dd>{Object.entries(v).map(([part, amount]) => `${VALUE_PART[part] ?? part.replace(/_/g, " ")} ${money(amount, currency)}`).join("; ")}</dd>
          </div>
        ))}
      </dl>
    </article>
  );
}

function DriftedInvoices({ refreshKey }: { refreshKey: string }) {
  const drifted = useDriftedInvoices(refreshKey);
  const items: BillingException[] = drifted.data?.items ?? [];
  return (
    <section aria-labelledby="drifted-invoices">
      <h2 id="drifted-invoices">Drifted invoices</h2>
      <ProblemMessage error={drifted.error} />
      {drifted.data ? (
        <table>
          <caption>Invoices that would bill differently now (open invoice_drift exceptions)</caption>
          <thead>
            <tr>
              <th scope="col">Invoice</th><th scope="col">Period</th><th scope="col">Bill-to</th>
              <th scope="col">What changed</th><th scope="col">Credit part</th><th scope="col">Debit part</th>
              <th scope="col">Pending adjustment</th><th scope="col">Memos already credited</th><th scope="col">Exception</th>
            </tr>
          </thead>
          <tbody>
            {items.length === 0 ? <tr><td colSpan={9}>No invoice has drifted.</td></tr> : null}
            {items.map((e) => {
              const r = e.refs as Record<string, string | null>;
              const currency = e.currency ?? "XXX";
              return (
                <tr key={e.exception_id}>
                  <th scope="row">{r.invoice_id ? <Link to={`/invoices/${encodeURIComponent(r.invoice_id)}`}>{r.invoice_number ?? r.invoice_id}</Link> : "—"}</th>
                  <td>{r.period ?? "—"}</td>
                  <td>{r.bill_to_account_id ?? "—"}</td>
                  <td>{(r.changed_inputs ?? "").split(",").filter(Boolean).map((c) => c.replace(/_/g, " ")).join(", ") || "—"}</td>
                  <td className="num">{money(r.credit_total, currency)}</td>
                  <td className="num">{money(r.debit_total, currency)}</td>
                  <td className="num">{money(r.pending_adjustment, currency)}</td>
                  <td className="num">{money(r.memos_credited, currency)}</td>
                  <td>{e.status}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
