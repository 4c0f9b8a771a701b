import { createColumnHelper } from "@tanstack/react-table";
import { Link, useParams } from "react-router-dom";
import { DataTable } from "../../../components/DataTable";
import { Facts } from "../../../components/Facts";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { calendarDate, money, timestamp } from "../../../lib/format";
import { useContract, useContractHistory, type Contract, type ContractLine, type AuditEntry } from "../api/accounts";

const column = createColumnHelper<ContractLine>();
const lineColumns = (currency: string) => [
  column.accessor("line_item_id", { header: "Line item" }),
  column.accessor("product_code", { header: "Product" }),
  column.accessor("rate", { header: "Rate", cell: (c) => (c.getValue() ? money(c.getValue(), currency) : "rate card") }),
  column.accessor("fee", { header: "Fee", cell: (c) => money(c.getValue(), currency) }),
  column.accessor("budget", { header: "Budget", cell: (c) => money(c.getValue(), currency) }),
];

const pct = (value: string | null | undefined) => (value === null || value === undefined ? "—" : `${value}%`);

export function ContractPage() {
  const { contractId = "" } = useParams();
  const contract = useContract(contractId);
  if (contract.error) return <ProblemMessage error={contract.error} />;
  if (!contract.data) return <p role="status">Loading the contract…</p>;
  const c = contract.data;
  return (
    <>
      <h1>Contract {c.contract_id}</h1>
      <Terms contract={c} />
      <section aria-labelledby="contract-lines">
        <h2 id="contract-lines">Lines</h2>
        <DataTable caption="Contract lines" data={c.lines ?? []} columns={lineColumns(c.currency)} empty="No line." />
      </section>
      <Versions contract={c} />
      <History contractId={c.contract_id} />
    </>
  );
}

function Terms({ contract: c }: { contract: Contract }) {
  return (
    <section className="panel" aria-labelledby="contract-terms">
      <h2 id="contract-terms">{c.name ?? "Terms"}</h2>
      <dl className="facts">
        <dt>Status</dt><dd>{c.status}</dd>
        <dt>Advertiser</dt><dd><Link to={`/accounts/${encodeURIComponent(c.advertiser_account_id)}`}>{c.advertiser_name ?? c.advertiser_account_id}</Link></dd>
        <dt>Bill-to</dt><dd><Link to={`/accounts/${encodeURIComponent(c.bill_to_account_id)}`}>{c.bill_to_account_id}</Link></dd>
        <dt>Flight</dt><dd>{calendarDate(c.flight_start)} to {calendarDate(c.flight_end)}</dd>
        <dt>Currency</dt><dd>{c.currency}</dd>
        <dt>Billing basis</dt><dd>{(c.billing_basis ?? "first_party").replace(/_/g, " ")}</dd>
        <dt>Discount</dt><dd>{pct(c.discount_pct)}</dd>
        <dt>Agency commission</dt><dd>{pct(c.agency_commission_pct)}</dd>
        <dt>Payment terms</dt><dd>{c.payment_terms_days ? `${c.payment_terms_days} days` : "the account's"}</dd>
        <dt>PO number</dt><dd>{c.po_number ?? "—"}</dd>
        <dt>Amendments</dt><dd>{c.amendment_no ?? 0}</dd>
      </dl>
      <p><Link to={`/invoices?contract_id=${encodeURIComponent(c.contract_id)}`}>Invoices of this contract</Link></p>
    </section>
  );
}

/** The versions of the terms, oldest first: version 0 from the flight start, then each amendment from its date. */
function Versions({ contract: c }: { contract: Contract }) {
  const versions = c.versions ?? [];
  if (versions.length === 0) return null;
  return (
    <section aria-labelledby="contract-versions">
      <h2 id="contract-versions">Versions of the terms</h2>
      <ol aria-label="Versions of the terms">
        {versions.map((v) => (
          <li key={v.amendment_no}>
            {v.amendment_no === 0 ? "Original terms" : `Amendment ${v.amendment_no}`}, from {calendarDate(v.effective_from)}
            {Object.keys(v.terms ?? {}).length ? <Facts value={v.terms} /> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** The top-level fields an audited change altered, from its before and after states (nothing is computed on money). */
function changedTerms(entry: AuditEntry): string[] {
  const before = (entry.before ?? {}) as Record<string, unknown>;
  const after = (entry.after ?? {}) as Record<string, unknown>;
  if (!entry.before || !entry.after) return [];
  const skip = new Set(["versions", "amendment_no", "state_version"]);
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => !skip.has(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}

function History({ contractId }: { contractId: string }) {
  const history = useContractHistory(contractId);
  return (
    <section aria-labelledby="contract-history">
      <h2 id="contract-history">Amendment history</h2>
      <ProblemMessage error={history.error} />
      {history.isPending ? <p role="status">Loading the history…</p> : (
        <ol className="timeline" aria-label="Amendment history">
          {(history.data?.items ?? []).map((entry) => (
            <li key={entry.id}>
              <time dateTime={entry.at}>{timestamp(entry.at)}</time>: {entry.actor} — {entry.action}
              {changedTerms(entry).length ? <> ({changedTerms(entry).join(", ").replace(/_/g, " ")})</> : null}
              {entry.reason ? <> — “{entry.reason}”</> : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
