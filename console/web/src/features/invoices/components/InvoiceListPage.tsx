import { createColumnHelper } from "@tanstack/react-table";
import { useEffect } from "react";
import { useForm } from "react-hook-form";
import { Link, useSearchParams } from "react-router-dom";
import { DataTable } from "../../../components/DataTable";
import { Field } from "../../../components/Field";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { calendarDate, money } from "../../../lib/format";
import { useInvoices, type InvoiceSearch, type InvoiceSummary } from "../api/invoices";

const column = createColumnHelper<InvoiceSummary>();
const columns = [
  column.accessor("invoice_number", {
    header: "Number",
    cell: (c) => <Link to={`/invoices/${c.row.original.invoice_id}`}>{c.getValue() ?? `Draft ${c.row.original.invoice_id}`}</Link>,
  }),
  column.accessor("status", { header: "Status" }),
  column.accessor("bill_to_account_id", { header: "Bill-to" }),
  column.accessor("account_id", { header: "Advertiser" }),
  column.accessor("po_number", { header: "PO", cell: (c) => c.getValue() ?? "—" }),
  column.accessor("period", { header: "Period" }),
  column.accessor("issue_date", { header: "Issued", cell: (c) => calendarDate(c.getValue()) }),
  column.accessor("due_date", { header: "Due", cell: (c) => calendarDate(c.getValue()) }),
  column.accessor("total", { header: "Total", cell: (c) => money(c.getValue(), c.row.original.currency) }),
  column.accessor("balance_due", { header: "Balance due", cell: (c) => money(c.getValue(), c.row.original.currency) }),
];

const FIELDS: { name: keyof InvoiceSearch; label: string }[] = [
  { name: "invoice_number", label: "Invoice number" },
  { name: "bill_to_account_id", label: "Bill-to account" },
  { name: "account_id", label: "Advertiser" },
  { name: "contract_id", label: "Contract" },
  { name: "po_number", label: "PO number" },
  { name: "period", label: "Period (YYYY-MM)" },
];

/** Marks the first time the list shows invoices, for the browser's performance timeline (bench/console_render.py). */
function useRenderedMark(rendered: boolean) {
  useEffect(() => {
    if (rendered && performance.getEntriesByName("invoice-list-rendered").length === 0) {
      performance.mark("invoice-list-rendered");
    }
  }, [rendered]);
}

export function InvoiceListPage() {
  const [params, setParams] = useSearchParams();
  const search = Object.fromEntries(params.entries()) as InvoiceSearch;
  const form = useForm<InvoiceSearch>({ values: search });
  const invoices = useInvoices(search);
  useRenderedMark((invoices.data?.items.length ?? 0) > 0);
  const submit = form.handleSubmit((values) => {
    setParams(Object.fromEntries(Object.entries(values).filter(([, v]) => v)) as Record<string, string>);
  });
  return (
    <>
      <h1>Invoices</h1>
      <form className="filters" role="search" aria-label="Find invoices" onSubmit={submit}>
        {FIELDS.map((f) => (
          <Field key={f.name} id={`search-${f.name}`} label={f.label}>
            <input id={`search-${f.name}`} {...form.register(f.name)} />
          </Field>
        ))}
        <Field id="search-status" label="Status">
          <select id="search-status" {...form.register("status")}>
            <option value="">any</option>
            <option value="draft">draft</option>
            <option value="issued">issued</option>
            <option value="void">void</option>
          </select>
        </Field>
        <div className="field">
          <button type="submit">Search</button>
        </div>
      </form>
      <ProblemMessage error={invoices.error} />
      {invoices.isPending ? (
        <p role="status">Loading invoices…</p>
      ) : (
        <DataTable caption="Invoices" data={invoices.data?.items ?? []} columns={columns} empty="No invoice matches." />
      )}
    </>
  );
}
