import { createColumnHelper } from "@tanstack/react-table";
import { useForm } from "react-hook-form";
import { Link, useSearchParams } from "react-router-dom";
import { DataTable } from "../../../components/DataTable";
import { Field } from "../../../components/Field";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { useAccounts, type Account } from "../api/accounts";

const column = createColumnHelper<Account>();
const columns = [
  column.accessor("legal_name", {
    header: "Legal name",
    cell: (c) => <Link to={`/accounts/${encodeURIComponent(c.row.original.account_id)}`}>{c.getValue()}</Link>,
  }),
  column.accessor("account_id", { header: "Account" }),
  column.accessor("type", { header: "Type" }),
  column.accessor("currency", { header: "Currency" }),
  column.accessor("payment_terms_days", { header: "Payment terms (days)" }),
];

export function AccountListPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const form = useForm<{ q: string }>({ values: { q } });
  const accounts = useAccounts(q);
  const submit = form.handleSubmit((v) => setParams(v.q ? { q: v.q } : {}));
  return (
    <>
      <h1>Accounts</h1>
      <form className="filters" role="search" aria-label="Find accounts" onSubmit={submit}>
        <Field id="search-q" label="Name or account id">
          <input id="search-q" {...form.register("q")} />
        </Field>
        <div className="field">
          <button type="submit">Search</button>
        </div>
      </form>
      <ProblemMessage error={accounts.error} />
      {accounts.isPending ? <p role="status">Loading accounts…</p> : (
        <DataTable caption="Accounts" data={accounts.data?.items ?? []} columns={columns} empty="No account matches." />
      )}
    </>
  );
}
