import { createColumnHelper } from "@tanstack/react-table";
import { useState } from "react";
import { DataTable } from "../../../components/DataTable";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { money, timestamp } from "../../../lib/format";
import { RevenueChart } from "./RevenueChart";
import {
  journalCsvUrl, useRevenue, useTrialBalance, useUnbilled, type RevenueDimension, type RevenueRow, type TrialBalanceRow,
} from "../api/monthend";

// Every amount is the API's decimal string, formatted in its own currency; totals come from the API per currency.
const tb = createColumnHelper<TrialBalanceRow>();
const trialColumns = [
  tb.accessor("account", { header: "Account" }),
  tb.accessor("currency", { header: "Currency" }),
  tb.accessor("opening", { header: "Opening", cell: (c) => money(c.getValue(), c.row.original.currency), enableSorting: false }),
  tb.accessor("debits", { header: "Debits", cell: (c) => money(c.getValue(), c.row.original.currency), enableSorting: false }),
  tb.accessor("credits", { header: "Credits", cell: (c) => money(c.getValue(), c.row.original.currency), enableSorting: false }),
  tb.accessor("closing", { header: "Closing", cell: (c) => money(c.getValue(), c.row.original.currency), enableSorting: false }),
];

export function TrialBalance({ period }: { period: string }) {
  const trial = useTrialBalance(period);
  return (
    <section aria-labelledby="trial-balance">
      <h3 id="trial-balance">Trial balance</h3>
      <ProblemMessage error={trial.error} />
      {trial.data ? (
        <>
          <DataTable caption={`Trial balance for ${period} per account and currency`} data={trial.data.rows}
            columns={trialColumns} empty="Nothing posted to this period." />
          <table>
            <caption>Trial balance totals for {period} per currency</caption>
            <thead>
              <tr>
                <th scope="col">Currency</th><th scope="col">Debits</th><th scope="col">Credits</th>
                <th scope="col">Closing debits</th><th scope="col">Closing credits</th><th scope="col">Balanced</th>
              </tr>
            </thead>
            <tbody>
              {trial.data.totals.map((t) => (
                <tr key={t.currency}>
                  <th scope="row">{t.currency}</th>
                  <td>{money(t.debits, t.currency)}</td>
                  <td>{money(t.credits, t.currency)}</td>
                  <td>{money(t.closing_debits, t.currency)}</td>
                  <td>{money(t.closing_credits, t.currency)}</td>
                  <td className={t.balanced ? "ok" : "problem"}>{t.balanced ? "balanced" : "NOT balanced"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}

const rv = createColumnHelper<RevenueRow>();
const revenueColumns = [
  rv.accessor("key", { header: "Key", cell: (c) => c.getValue() ?? "—" }),
  rv.accessor("currency", { header: "Currency" }),
  rv.accessor("gross", { header: "Gross", cell: (c) => money(c.getValue(), c.row.original.currency), enableSorting: false }),
  rv.accessor("discount", { header: "Discount", cell: (c) => money(c.getValue(), c.row.original.currency), enableSorting: false }),
  rv.accessor("commission", { header: "Commission", cell: (c) => money(c.getValue(), c.row.original.currency), enableSorting: false }),
  rv.accessor("net", { header: "Net", cell: (c) => money(c.getValue(), c.row.original.currency), enableSorting: false }),
];

const DIMENSIONS: { value: RevenueDimension; label: string }[] = [
  { value: "gl_account", label: "GL revenue account" },
  { value: "product", label: "product" },
  { value: "channel", label: "channel" },
  { value: "bill_to", label: "bill-to account" },
  { value: "account", label: "advertiser" },
];

export function RevenueReport({ period }: { period: string }) {
  const [by, setBy] = useState<RevenueDimension>("gl_account");
  const revenue = useRevenue(period, by);
  const label = DIMENSIONS.find((d) => d.value === by)?.label;
  return (
    <section aria-labelledby="revenue">
      <h3 id="revenue">Revenue</h3>
      <div className="field">
        <label htmlFor="revenue-by">Revenue by</label>
        <select id="revenue-by" value={by} onChange={(e) => setBy(e.target.value as RevenueDimension)}>
          {DIMENSIONS.map((d) => <option key={d.value} value={d.value}>{d.label}</option>)}
        </select>
      </div>
      <RevenueChart period={period} by={by} label={label ?? by} />
      <ProblemMessage error={revenue.error} />
      {revenue.data ? (
        <>
          <DataTable caption={`Revenue for ${period} by ${label}`} data={revenue.data.rows} columns={revenueColumns}
            empty="No revenue posted to this period." />
          <p>Agency commission is reported as {revenue.data.commission_treatment}.</p>
        </>
      ) : null}
    </section>
  );
}

export function UnbilledSummary({ period }: { period: string }) {
  const unbilled = useUnbilled(period);
  return (
    <section aria-labelledby="unbilled">
      <h3 id="unbilled">Unbilled (delivered or earned, not yet invoiced)</h3>
      <ProblemMessage error={unbilled.error} />
      {unbilled.data ? (
        <>
          <p>As of {timestamp(unbilled.data.as_of)}: {unbilled.data.lines.length} priced lines,{" "}
            {unbilled.data.unpriced.length} items that cannot be priced yet. Without tax.</p>
          <table>
            <caption>Unbilled for {period} per currency</caption>
            <thead>
              <tr><th scope="col">Currency</th><th scope="col">Gross</th><th scope="col">Discount</th><th scope="col">Commission</th><th scope="col">Net</th></tr>
            </thead>
            <tbody>
              {unbilled.data.totals.length === 0 ? <tr><td colSpan={5}>Nothing unbilled.</td></tr> : null}
              {unbilled.data.totals.map((t) => (
                <tr key={t.currency}>
                  <th scope="row">{t.currency}</th>
                  <td>{money(t.gross, t.currency)}</td>
                  <td>{money(t.discount, t.currency)}</td>
                  <td>{money(t.commission, t.currency)}</td>
                  <td>{money(t.net, t.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}

export function JournalDownload({ period }: { period: string }) {
  return (
    <p>
      <a href={journalCsvUrl(period)} download>Download the journal of {period} (CSV for the ERP)</a>
    </p>
  );
}
