import { Link } from "react-router-dom";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { money, timestamp } from "../../../lib/format";
import { useInvoiceHistory, type HistoryStep } from "../api/invoices";

// What each kind of step is, in billing language; the amounts and the balance after each step are the API's.
const CAUSE: Record<string, string> = {
  issued: "Issued",
  credit_memo: "Credit memo",
  debit_memo: "Debit memo",
  payment: "Payment",
  dispute_opened: "Dispute opened",
  dispute_resolved: "Dispute resolved",
  dispute_withdrawn: "Dispute withdrawn",
  dispute_reopened: "Dispute reopened",
  void: "Voided",
};

function Reference({ step }: { step: HistoryStep }) {
  if (step.kind.startsWith("dispute_")) return <Link to={`/disputes/${encodeURIComponent(step.reference)}`}>{step.reference}</Link>;
  return <>{step.reference}</>;
}

export function BalanceHistory({ invoiceId }: { invoiceId: string }) {
  const history = useInvoiceHistory(invoiceId, true);
  return (
    <section aria-labelledby="balance-history">
      <h2 id="balance-history">Balance history</h2>
      <ProblemMessage error={history.error} />
      {history.isPending ? <p role="status">Loading the history…</p> : null}
      {history.data ? (
        <table>
          <caption>Every change to the balance of invoice {history.data.invoice_number}, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th><th scope="col">Cause</th><th scope="col">By</th><th scope="col">Reference</th>
              <th scope="col">Amount</th><th scope="col">Balance due after</th><th scope="col">Disputed after</th>
              <th scope="col">Status after</th>
            </tr>
          </thead>
          <tbody>
            {history.data.steps.map((s, i) => (
              <tr key={`${s.kind}/${s.reference}/${i}`}>
                <td>{timestamp(s.at)}</td>
                <th scope="row">{CAUSE[s.kind] ?? s.kind.replace(/_/g, " ")}{s.applied ? "" : " (kept, not applied)"}</th>
                <td>{s.actor}</td>
                <td><Reference step={s} /></td>
                <td className="num">{money(s.amount, s.currency)}</td>
                <td className="num">{money(s.balance_due_after, s.currency)}</td>
                <td className="num">{money(s.disputed_amount_after, s.currency)}</td>
                <td>{s.status_after}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
