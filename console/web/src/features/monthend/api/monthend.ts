import { useQueries, useQuery } from "@tanstack/react-query";
import { accountingApi, invoiceApi, type AccountingApi } from "../../../lib/api/clients";
import { unwrap, type Problem } from "../../../lib/problem";

export type PeriodState = AccountingApi["schemas"]["PeriodOut"];
export type ChecklistItem = AccountingApi["schemas"]["ChecklistItem"];
export type TrialBalanceRow = AccountingApi["schemas"]["TrialBalanceRow"];
export type RevenueRow = AccountingApi["schemas"]["RevenueRow"];
export type RevenueDimension = "gl_account" | "product" | "channel" | "bill_to" | "account";

// invoice-svc's /v1/unbilled is documented as a plain object in its OpenAPI; these are the fields the page reads
// (close.md C9: totals per currency without tax, and what could not be priced).
export interface Unbilled {
  period: string;
  as_of: string;
  lines: { currency: string; reason: string; net: string }[];
  totals: { currency: string; gross: string; discount: string; commission: string; net: string }[];
  unpriced: { reason: string }[];
}

// invoice-svc's /v1/variance is documented as a plain object too: per contract line, gross, booked vs delivered vs
// billed with each difference and its % (already × 100), flagged beyond the threshold.
export interface VarianceLine {
  contract_id: string;
  line_item_id: string;
  product_code: string;
  currency: string;
  booked: string | null;
  delivered: string | null;
  billed: string | null;
  delivered_vs_booked: string | null;
  delivered_vs_booked_pct: string | null;
  billed_vs_delivered: string | null;
  billed_vs_delivered_pct: string | null;
  flagged: boolean;
  unpriced: string[];
}

export interface Variance {
  period: string;
  threshold_pct: string;
  lines: VarianceLine[];
}

/** A refused close (409): accounting-svc names the blocking items that fail, each with its why. */
export type CloseRefusal = Problem & { failing?: { item: string; why: string }[] };

/** The month billed last: bill runs issue the calendar month before today's, and it closes during today's. */
export function lastBilledPeriod(): string {
  const now = new Date();
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return `${month.getUTCFullYear()}-${String(month.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** The period calendar: every period posted to or closed, oldest first. */
export function usePeriods() {
  return useQuery({
    queryKey: ["periods"],
    queryFn: async () => unwrap(await accountingApi.GET("/v1/periods")),
  });
}

/** A period with its close checklist (close.md C10), computed by accounting-svc at each read. */
export function usePeriod(period: string) {
  return useQuery({
    queryKey: ["periods", period],
    queryFn: async () => unwrap(await accountingApi.GET("/v1/periods/{period}", { params: { path: { period } } })),
  });
}

export function useTrialBalance(period: string) {
  return useQuery({
    queryKey: ["trial-balance", period],
    queryFn: async () => unwrap(await accountingApi.GET("/v1/trial-balance", { params: { query: { period } } })),
  });
}

export function useRevenue(period: string, by: RevenueDimension) {
  return useQuery({
    queryKey: ["revenue", period, by],
    queryFn: async () => unwrap(await accountingApi.GET("/v1/revenue", { params: { query: { period, by } } })),
  });
}

/** Revenue by one dimension for each of several periods (one call per period, cached with useRevenue's). */
export function useRevenueByMonth(periods: string[], by: RevenueDimension) {
  return useQueries({
    queries: periods.map((period) => ({
      queryKey: ["revenue", period, by],
      queryFn: async () => unwrap(await accountingApi.GET("/v1/revenue", { params: { query: { period, by } } })),
    })),
  });
}

export function useUnbilled(period: string) {
  return useQuery({
    queryKey: ["unbilled", period],
    queryFn: async () => unwrap(await invoiceApi.GET("/v1/unbilled", { params: { query: { period } } })) as unknown as Unbilled,
  });
}

/** The journal of a period as the ERP import file, through the console's proxy (the person's own token). */
export function journalCsvUrl(period: string): string {
  return `/api/accounting-svc/v1/exports/journal.csv?period=${encodeURIComponent(period)}`;
}

export function useVariance(period: string) {
  return useQuery({
    queryKey: ["variance", period],
    queryFn: async () => unwrap(await invoiceApi.GET("/v1/variance", { params: { query: { period } } })) as unknown as Variance,
  });
}
