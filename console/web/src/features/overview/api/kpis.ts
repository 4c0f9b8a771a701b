import { useQuery } from "@tanstack/react-query";
import { adjustmentApi, disputeApi, invoiceApi } from "../../../lib/api/clients";
import { unwrap } from "../../../lib/problem";

// invoice-svc's and dispute-svc's /v1/kpis are documented as plain objects in their OpenAPI; these are the fields
// the overview reads (their shapes are in docs/api.md). adjustment-svc's is typed from its document.
export interface InvoiceKpis {
  periods: { period: string; currency: string; invoices_issued: number; billed_value: string; credited_value: string }[];
  by_currency: { currency: string; invoices_issued: number; billed_value: string; credited_value: string; billing_accuracy: string | null }[];
  // currency is null when what was delivered names no known account or contract; value_at_risk is null for kinds
  // that hold no revenue back; `unpriced` counts the held-back ones the engine could not price.
  open_exceptions: { count: number; by_kind: { kind: string; currency: string | null; open: number; value_at_risk: string | null; unpriced: number }[] };
}

export interface DisputeKpis {
  dispute_rate: { disputed_invoices: number; issued_invoices: number; rate: string | null };
  disputes_opened: number;
  turnaround: { resolved: number; median: number | null; p90: number | null };
  resolved_within_sla: { resolved: number; within_sla: number; share: string | null };
}

function period(d: Date): string {
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** The last `months` billing periods up to `month` (YYYY-MM), oldest first. */
export function window(month: string, months: number): { from: string; to: string } {
  const [y, m] = month.split("-").map(Number);
  return { from: period(new Date(Date.UTC(y, m - months, 1))), to: month };
}

/** The month billed last: bill runs issue the calendar month before today's. */
export function lastBilledPeriod(): string {
  const now = new Date();
  return period(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)));
}

export function useInvoiceKpis(from: string, to: string) {
  return useQuery({
    queryKey: ["kpis-invoice", from, to],
    queryFn: async () => unwrap(await invoiceApi.GET("/v1/kpis", { params: { query: { from, to } } })) as unknown as InvoiceKpis,
  });
}

function lastDay(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

export function useDisputeKpis(month: string) {
  return useQuery({
    queryKey: ["kpis-dispute", month],
    queryFn: async () =>
      unwrap(await disputeApi.GET("/v1/kpis", { params: { query: { from: `${month}-01`, to: lastDay(month) } } })) as unknown as DisputeKpis,
  });
}

export function useAdjustmentKpis(month: string) {
  return useQuery({
    queryKey: ["kpis-adjustment", month],
    queryFn: async () => unwrap(await adjustmentApi.GET("/v1/kpis", { params: { query: { from: `${month}-01`, to: lastDay(month) } } })),
  });
}
