// The evidence pack side by side: the contract terms, each disputed line with its re-price difference and the
// deliveries behind it, and the re-price summary. dispute-svc documents the pack as a plain object, so the fields
// read here are the ones its docs name; anything else is shown as it comes.
import { Facts } from "../../../components/Facts";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { calendarDate, count, money } from "../../../lib/format";
import { useEvidence } from "../api/disputes";

interface Delivery {
  delivery_id?: string;
  delivery_date?: string;
  revision?: number;
  impressions?: number | null;
  viewable_impressions?: number | null;
  clicks?: number | null;
  conversions?: number | null;
  third_party_impressions?: number | null;
  media_cost?: string | null;
}

interface DisputedLine {
  invoice_line_id: string;
  description?: string;
  invoiced_amount: string;
  disputed_amount: string;
  credited?: string;
  deliveries: { available: boolean; reason?: string; count?: number; items: Delivery[] };
  reprice?: { repriced_amount?: string | null; difference?: string | null; verdict?: string } | null;
}

interface Pack {
  invoice: { currency: string };
  contract_terms: Record<string, unknown>;
  disputed_lines: DisputedLine[];
  reprice: Record<string, unknown>;
}

export function Evidence({ disputeId }: { disputeId: string }) {
  const evidence = useEvidence(disputeId);
  const pack = evidence.data as unknown as Pack | undefined;
  return (
    <section aria-labelledby="evidence">
      <h2 id="evidence">Evidence</h2>
      <ProblemMessage error={evidence.error} />
      {evidence.isPending ? <p role="status">Gathering the evidence…</p> : null}
      {pack ? (
        <div className="side-by-side">
          <section className="panel" aria-labelledby="evidence-terms">
            <h3 id="evidence-terms">Contract terms</h3>
            <Facts value={pack.contract_terms} />
          </section>
          <section className="panel" aria-labelledby="evidence-lines">
            <h3 id="evidence-lines">Disputed lines and deliveries</h3>
            {pack.disputed_lines.map((line) => <LineEvidence key={line.invoice_line_id} line={line} currency={pack.invoice.currency} />)}
          </section>
          <section className="panel" aria-labelledby="evidence-reprice">
            <h3 id="evidence-reprice">Re-price difference</h3>
            <Facts value={Object.fromEntries(Object.entries(pack.reprice).filter(([k]) => k !== "products"))} />
          </section>
        </div>
      ) : null}
    </section>
  );
}

function LineEvidence({ line, currency }: { line: DisputedLine; currency: string }) {
  const items = line.deliveries.items ?? [];
  return (
    <div>
      <dl className="facts">
        <dt>Line</dt><dd>{line.description ?? line.invoice_line_id} ({line.invoice_line_id})</dd>
        <dt>Invoiced</dt><dd>{money(line.invoiced_amount, currency)}</dd>
        <dt>Disputed</dt><dd>{money(line.disputed_amount, currency)}</dd>
        <dt>Re-priced</dt><dd>{line.reprice?.repriced_amount != null ? money(line.reprice.repriced_amount, currency) : "—"}</dd>
        <dt>Difference</dt><dd>{line.reprice?.difference != null ? money(line.reprice.difference, currency) : "—"}{line.reprice?.verdict ? ` (${line.reprice.verdict})` : ""}</dd>
      </dl>
      {line.deliveries.available ? (
        <table>
          <caption>Deliveries of {line.invoice_line_id} ({count(line.deliveries.count ?? items.length)})</caption>
          <thead>
            <tr>
              <th scope="col">Date</th><th scope="col" className="num">Impressions</th><th scope="col" className="num">Third-party</th>
              <th scope="col" className="num">Clicks</th><th scope="col" className="num">Revision</th>
            </tr>
          </thead>
          <tbody>
            {items.map((d, i) => (
              <tr key={d.delivery_id ?? i}>
                <td>{calendarDate(d.delivery_date)}</td><td className="num">{count(d.impressions)}</td>
                <td className="num">{count(d.third_party_impressions)}</td><td className="num">{count(d.clicks)}</td>
                <td className="num">{d.revision ?? 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>No delivery records: {line.deliveries.reason}</p>
      )}
    </div>
  );
}
