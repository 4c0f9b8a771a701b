import { createColumnHelper } from "@tanstack/react-table";
import { useState } from "react";
import { Link, useParams } from "react-router-dom";
import { DataTable } from "../../../components/DataTable";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { calendarDate, count, money, timestamp } from "../../../lib/format";
import { hasRole, useSession } from "../../../lib/session";
import { documentUrl, useInvoice, useInvoiceAudit, useInvoiceDisputes, useInvoiceMemos, type Invoice, type InvoiceLine } from "../api/invoices";
import { BalanceHistory } from "./BalanceHistory";
import { OpenDisputeForm } from "./OpenDisputeForm";

export function InvoicePage() {
  const { invoiceId = "" } = useParams();
  const invoice = useInvoice(invoiceId);
  if (invoice.error) return <ProblemMessage error={invoice.error} />;
  if (!invoice.data) return <p role="status">Loading the invoice…</p>;
  return <InvoiceView invoice={invoice.data} />;
}

function InvoiceView({ invoice }: { invoice: Invoice }) {
  const { person } = useSession();
  const [disputing, setDisputing] = useState<InvoiceLine | null>(null);
  const [showPdf, setShowPdf] = useState(false);
  const title = invoice.invoice_number ?? `Draft ${invoice.invoice_id}`;
  const canDispute = invoice.status === "issued" && hasRole(person, "billing-analyst");
  const lines = createColumnHelper<InvoiceLine>();
  const columns = [
    lines.accessor("description", { header: "Line" }),
    lines.accessor("kind", { header: "Kind" }),
    lines.accessor("product_code", { header: "Product", cell: (c) => c.getValue() ?? "—" }),
    lines.accessor("quantity", { header: "Quantity", cell: (c) => count(c.getValue()) }),
    lines.accessor("amount", { header: "Amount", cell: (c) => money(c.getValue(), invoice.currency) }),
    lines.display({
      id: "actions",
      header: "Actions",
      cell: (c) =>
        canDispute && c.row.original.kind !== "tax" ? (
          <button type="button" className="secondary" onClick={() => setDisputing(c.row.original)}
            aria-label={`Dispute line ${c.row.original.description}`}>
            Dispute
          </button>
        ) : null,
    }),
  ];
  return (
    <>
      <h1>Invoice {title}</h1>
      <div className="side-by-side">
        <section className="panel" aria-labelledby="facts">
          <h2 id="facts">Invoice</h2>
          <dl className="facts">
            <dt>Status</dt><dd>{invoice.status}</dd>
            <dt>Bill-to</dt><dd>{invoice.bill_to_account_id}</dd>
            <dt>Advertiser</dt><dd>{invoice.account_id}</dd>
            <dt>Contract</dt><dd>{invoice.contract_id ?? "—"}</dd>
            <dt>PO</dt><dd>{invoice.po_number ?? "—"}</dd>
            <dt>Period</dt><dd>{calendarDate(invoice.period_start)} – {calendarDate(invoice.period_end)}</dd>
            <dt>Issued</dt><dd>{calendarDate(invoice.issue_date)}</dd>
            <dt>Due</dt><dd>{calendarDate(invoice.due_date)}</dd>
            <dt>Total</dt><dd>{money(invoice.total, invoice.currency)}</dd>
          </dl>
        </section>
        {invoice.balance ? (
          <section className="panel" aria-labelledby="balance">
            <h2 id="balance">Balance</h2>
            <dl className="facts">
              <dt>Balance due</dt><dd data-testid="balance-due">{money(invoice.balance.balance_due, invoice.currency)}</dd>
              <dt>Credited</dt><dd>{money(invoice.balance.credited, invoice.currency)}</dd>
              <dt>Debited</dt><dd>{money(invoice.balance.debited, invoice.currency)}</dd>
              <dt>Paid</dt><dd>{money(invoice.balance.paid, invoice.currency)}</dd>
              <dt>Disputed</dt><dd>{money(invoice.balance.disputed_amount, invoice.currency)}</dd>
              <dt>Balance status</dt><dd>{invoice.balance.status}</dd>
            </dl>
          </section>
        ) : null}
      </div>
      <DataTable caption="Lines" data={invoice.lines} columns={columns} />
      {invoice.status !== "draft" ? <BalanceHistory invoiceId={invoice.invoice_id} /> : null}
      {disputing ? <OpenDisputeForm invoice={invoice} line={disputing} onClose={() => setDisputing(null)} /> : null}
      <section className="panel" aria-labelledby="document">
        <h2 id="document">Document</h2>
        <p>
          <button type="button" className="secondary" onClick={() => setShowPdf(!showPdf)} aria-expanded={showPdf}>
            {showPdf ? "Hide the PDF" : "Show the PDF"}
          </button>{" "}
          <a href={documentUrl(invoice.invoice_id)} download={`${title}.pdf`}>
            Download the PDF
          </a>
        </p>
        {showPdf ? <iframe className="pdf" title={`Invoice ${title} as PDF`} src={documentUrl(invoice.invoice_id)} /> : null}
      </section>
      <InvoiceDisputes invoiceId={invoice.invoice_id} currency={invoice.currency} />
      <InvoiceMemos invoiceId={invoice.invoice_id} currency={invoice.currency} />
      <InvoiceAudit invoiceId={invoice.invoice_id} />
    </>
  );
}

function InvoiceDisputes({ invoiceId, currency }: { invoiceId: string; currency: string }) {
  const disputes = useInvoiceDisputes(invoiceId);
  return (
    <section aria-labelledby="disputes">
      <h2 id="disputes">Disputes</h2>
      <ProblemMessage error={disputes.error} />
      <ul>
        {(disputes.data?.items ?? []).map((d) => (
          <li key={d.dispute_id}>
            <Link to={`/disputes/${d.dispute_id}`}>Dispute {d.dispute_id}</Link>: {d.reason_code}, {money(d.amount, currency)}, {d.status}
          </li>
        ))}
      </ul>
      {disputes.data && disputes.data.items.length === 0 ? <p>No disputes.</p> : null}
    </section>
  );
}

function InvoiceMemos({ invoiceId, currency }: { invoiceId: string; currency: string }) {
  const memos = useInvoiceMemos(invoiceId);
  return (
    <section aria-labelledby="memos">
      <h2 id="memos">Credit and debit memos</h2>
      <ProblemMessage error={memos.error} />
      <ul>
        {(memos.data?.items ?? []).map((m) => (
          <li key={m.memo_id}>
            {m.kind} memo {m.memo_number}: {money(m.total, currency)}, issued {timestamp(m.issued_at)}{" "}
            <a href={`/api/adjustment-svc/v1/memos/${encodeURIComponent(m.memo_id)}/document`} download>
              PDF
            </a>
          </li>
        ))}
      </ul>
      {memos.data && memos.data.items.length === 0 ? <p>No memos.</p> : null}
    </section>
  );
}

function InvoiceAudit({ invoiceId }: { invoiceId: string }) {
  const audit = useInvoiceAudit(invoiceId);
  return (
    <section aria-labelledby="audit">
      <h2 id="audit">Audit trail</h2>
      <ProblemMessage error={audit.error} />
      <ul>
        {(audit.data?.items ?? []).map((e, i) => (
          <li key={i}>
            {timestamp(e.at)}: {e.action} by {e.actor}
          </li>
        ))}
      </ul>
    </section>
  );
}
