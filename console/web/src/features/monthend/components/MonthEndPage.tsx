import { Link, useSearchParams } from "react-router-dom";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { timestamp } from "../../../lib/format";
import { lastBilledPeriod, usePeriod, usePeriods, type ChecklistItem, type PeriodState } from "../api/monthend";
import { PeriodActions } from "./PeriodActions";
import { JournalDownload, RevenueReport, TrialBalance, UnbilledSummary } from "./Reports";
import { VarianceFlags } from "./VarianceFlags";

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

export function MonthEndPage() {
  const [params] = useSearchParams();
  const asked = params.get("period") ?? "";
  // The month billed last is the one being closed, unless the person picked another from the calendar.
  const period = PERIOD.test(asked) ? asked : lastBilledPeriod();
  const periods = usePeriods();
  const latestClosed = (periods.data ?? []).filter((p) => p.status === "closed").map((p) => p.period).sort().pop();
  return (
    <>
      <h1>Month-end</h1>
      <section aria-labelledby="calendar">
        <h2 id="calendar">Period calendar</h2>
        <ProblemMessage error={periods.error} />
        {periods.isPending ? <p role="status">Loading…</p> : null}
        {periods.data ? <Calendar periods={periods.data} selected={period} /> : null}
      </section>
      <SelectedPeriod period={period} latestClosed={latestClosed} />
    </>
  );
}

function Calendar({ periods, selected }: { periods: PeriodState[]; selected: string }) {
  if (periods.length === 0) return <p>Nothing has been posted yet.</p>;
  return (
    <table>
      <caption>Periods, newest first</caption>
      <thead>
        <tr><th scope="col">Period</th><th scope="col">Status</th><th scope="col">Closed</th><th scope="col">Reopened</th></tr>
      </thead>
      <tbody>
        {[...periods].reverse().map((p) => (
          <tr key={p.period}>
            <th scope="row">
              <Link to={`/month-end?period=${p.period}`} aria-current={p.period === selected ? "page" : undefined}>{p.period}</Link>
            </th>
            <td>{p.status}</td>
            <td>{p.closed_at ? `${timestamp(p.closed_at)} by ${p.closed_by}` : "—"}</td>
            <td>{p.reopened_at ? `${timestamp(p.reopened_at)} by ${p.reopened_by}: ${p.reopen_reason}` : "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SelectedPeriod({ period, latestClosed }: { period: string; latestClosed: string | undefined }) {
  const state = usePeriod(period);
  return (
    <section aria-labelledby="selected-period">
      <h2 id="selected-period">{period}: {state.data ? state.data.status : "…"}</h2>
      <ProblemMessage error={state.error} />
      {state.isPending ? <p role="status">Checking the close checklist…</p> : null}
      {state.data ? (
        <>
          <Checklist items={state.data.checklist ?? []} period={period} />
          <PeriodActions state={state.data} latestClosed={latestClosed} />
        </>
      ) : null}
      <TrialBalance period={period} />
      <RevenueReport period={period} />
      <UnbilledSummary period={period} />
      <VarianceFlags period={period} />
      <JournalDownload period={period} />
    </section>
  );
}

const MARK = { pass: "✓ pass", fail: "✗ fail", info: "ℹ info" } as const;

function Checklist({ items, period }: { items: ChecklistItem[]; period: string }) {
  // Blocking items decide the close (a failing one refuses it); informational ones never do.
  const blocking = items.filter((i) => i.blocking);
  const info = items.filter((i) => !i.blocking);
  return (
    <div className="side-by-side">
      <ChecklistTable caption={`Close checklist for ${period}: blocking items`} items={blocking} />
      <ChecklistTable caption={`Close checklist for ${period}: for information (never blocking)`} items={info} />
    </div>
  );
}

function ChecklistTable({ caption, items }: { caption: string; items: ChecklistItem[] }) {
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr><th scope="col">Item</th><th scope="col">Result</th><th scope="col">Why</th></tr>
      </thead>
      <tbody>
        {items.length === 0 ? <tr><td colSpan={3}>None.</td></tr> : null}
        {items.map((i) => (
          <tr key={i.item}>
            <th scope="row">{i.item.replace(/_/g, " ")}</th>
            <td className={i.status === "fail" ? "problem" : i.status === "pass" ? "ok" : undefined}>{MARK[i.status]}</td>
            <td>{i.why}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
