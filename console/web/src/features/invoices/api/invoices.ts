import { useQuery } from "@tanstack/react-query";
import { adjustmentApi, disputeApi, invoiceApi, type InvoiceApi } from "../../../lib/api/clients";
import { unwrap } from "../../../lib/problem";

export type InvoiceSummary = InvoiceApi["schemas"]["InvoiceSummary"];
export type Invoice = InvoiceApi["schemas"]["InvoiceOut"];
export type InvoiceLine = Invoice["lines"][number];
export type HistoryStep = InvoiceApi["schemas"]["HistoryStepOut"];

export interface InvoiceSearch {
  invoice_number?: string;
  bill_to_account_id?: string;
  account_id?: string;
  contract_id?: string;
  po_number?: string;
  period?: string;
  status?: "draft" | "issued" | "void";
}

export function useInvoices(search: InvoiceSearch) {
  const query = Object.fromEntries(Object.entries(search).filter(([, v]) => v)) as InvoiceSearch;
  return useQuery({
    queryKey: ["invoices", query],
    queryFn: async () => unwrap(await invoiceApi.GET("/v1/invoices", { params: { query: { ...query, limit: 100 } } })),
  });
}

export function useInvoice(invoiceId: string) {
  return useQuery({
    queryKey: ["invoice", invoiceId],
    queryFn: async () => unwrap(await invoiceApi.GET("/v1/invoices/{invoice_id}", { params: { path: { invoice_id: invoiceId } } })),
  });
}

export function useInvoiceDisputes(invoiceId: string) {
  return useQuery({
    queryKey: ["invoice-disputes", invoiceId],
    queryFn: async () => unwrap(await disputeApi.GET("/v1/disputes", { params: { query: { invoice_id: invoiceId, limit: 100 } } })),
  });
}

export function useInvoiceMemos(invoiceId: string) {
  return useQuery({
    queryKey: ["invoice-memos", invoiceId],
    queryFn: async () => unwrap(await adjustmentApi.GET("/v1/memos", { params: { query: { invoice_id: invoiceId, limit: 100 } } })),
  });
}

/** Every change to an issued invoice's balance with its cause and the balance after it (drafts have none). */
export function useInvoiceHistory(invoiceId: string, issued: boolean) {
  return useQuery({
    queryKey: ["invoice-history", invoiceId],
    queryFn: async () => unwrap(await invoiceApi.GET("/v1/invoices/{invoice_id}/history", { params: { path: { invoice_id: invoiceId } } })),
    enabled: issued,
  });
}

export function useInvoiceAudit(invoiceId: string) {
  return useQuery({
    queryKey: ["invoice-audit", invoiceId],
    queryFn: async () =>
      unwrap(await invoiceApi.GET("/v1/audit", { params: { query: { entity_type: "invoice", entity_id: invoiceId, limit: 100 } } })),
  });
}

/** The PDF through the console's proxy (same origin, the person's own token). */
export function documentUrl(invoiceId: string): string {
  return `/api/invoice-svc/v1/invoices/${encodeURIComponent(invoiceId)}/document`;
}
