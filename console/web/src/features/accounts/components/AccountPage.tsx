import { createColumnHelper } from "@tanstack/react-table";
import { Link, useParams } from "react-router-dom";
import { DataTable } from "../../../components/DataTable";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { calendarDate } from "../../../lib/format";
import { useAccount, useAccountContracts, type Account, type Contract } from "../api/accounts";

const column = createColumnHelper<Contract>();
const columns = [
  column.accessor("contract_id", {
    header: "Contract",
    cell: (c) => <Link to={`/contracts/${encodeURIComponent(c.getValue())}`}>{c.getValue()}</Link>,
  }),
  column.accessor("name", { header: "Name", cell: (c) => c.getValue() ?? "—" }),
  column.accessor("advertiser_account_id", { header: "Advertiser" }),
  column.accessor("bill_to_account_id", { header: "Bill-to" }),
  column.accessor("status", { header: "Status" }),
  column.accessor("flight_start", { header: "Flight start", cell: (c) => calendarDate(c.getValue()) }),
  column.accessor("flight_end", { header: "Flight end", cell: (c) => calendarDate(c.getValue()) }),
  column.accessor("amendment_no", { header: "Amendments" }),
];

export function AccountPage() {
  const { accountId = "" } = useParams();
  const account = useAccount(accountId);
  if (account.error) return <ProblemMessage error={account.error} />;
  if (!account.data) return <p role="status">Loading the account…</p>;
  const a = account.data;
  return (
    <>
      <h1>Account {a.legal_name}</h1>
      <AccountFacts account={a} />
      <Contracts accountId={a.account_id} />
    </>
  );
}

function AccountFacts({ account: a }: { account: Account }) {
  const taxRates = Object.entries(a.tax_rates ?? {});
  return (
    <section className="panel" aria-labelledby="account-facts">
      <h2 id="account-facts">Details</h2>
      <dl className="facts">
        <dt>Account</dt><dd>{a.account_id}</dd>
        <dt>Type</dt><dd>{a.type}</dd>
        <dt>Currency</dt><dd>{a.currency}</dd>
        <dt>Payment terms</dt><dd>{a.payment_terms_days} days</dd>
        <dt>PO required</dt><dd>{a.po_required ? "yes" : "no"}</dd>
        <dt>Invoice contact</dt><dd>{a.invoice_contact ?? "—"}</dd>
        <dt>Postal address</dt><dd>{a.postal_address ?? "—"}</dd>
        <dt>Tax registration</dt><dd>{a.tax_registration_id ?? "—"}</dd>
        <dt>Tax rates</dt><dd>{taxRates.length ? taxRates.map(([code, rate]) => `${code} ${rate}%`).join(", ") : "—"}</dd>
        {a.type === "agency" ? (<><dt>Represents</dt><dd>{(a.represented_advertisers ?? []).join(", ") || "—"}</dd></>) : null}
      </dl>
    </section>
  );
}

function Contracts({ accountId }: { accountId: string }) {
  const contracts = useAccountContracts(accountId);
  return (
    <section aria-labelledby="account-contracts">
      <h2 id="account-contracts">Contracts</h2>
      <ProblemMessage error={contracts.error} />
      {contracts.isPending ? <p role="status">Loading contracts…</p> : (
        <DataTable caption="Contracts of the account" data={contracts.data ?? []} columns={columns} empty="No contract names this account." />
      )}
    </section>
  );
}
