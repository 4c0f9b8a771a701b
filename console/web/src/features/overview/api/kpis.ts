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
  revenue_at_risk: { currency: string | null; value: string; open: number; unpriced: number }[];
  automation: {
    by_period: { period: string; invoices: number; touchless_invoices: number; touchless_share: string | null }[];
    exceptions_resolved: number; self_healed: number; self_healed_share: string | null;
  };
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

/** The calendar month of today (UTC): exceptions, disputes and requests are counted by the month they were raised. */
export function currentMonth(): string {
  return period(new Date());
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

// The three services' /v1/trends are documented as plain objects; these are the fields the overview reads
// (oversight.md O4, docs/user-guide.md "Root causes and trends").
export interface TrendSeries {
  group: string;
  currency: string;
  count: number;
  value: string;
}

export interface Trends {
  counted: string;
  value: string;
  series: TrendSeries[];
}

/** One service's root-cause Pareto over the months `from`..`to` (YYYY-MM), largest value first as the API orders it. */
export function useRootCauses(service: "invoice-svc" | "dispute-svc" | "adjustment-svc", from: string, to: string) {
  return useQuery({
    queryKey: ["trends", service, from, to],
    queryFn: async () => {
      const query = { params: { query: { from, to, by: "root_cause" as const } } };
      const answer = service === "invoice-svc" ? await invoiceApi.GET("/v1/trends", query)
        : service === "dispute-svc" ? await disputeApi.GET("/v1/trends", query)
          : await adjustmentApi.GET("/v1/trends", query);
      return unwrap(answer) as unknown as Trends;
    },
  });
}

/** What is delivered or earned in the month and not yet invoiced, per currency (close.md C9; without tax). */
export function useUnbilledTotals(month: string) {
  return useQuery({
    queryKey: ["unbilled", month],
    queryFn: async () => unwrap(await invoiceApi.GET("/v1/unbilled", { params: { query: { period: month } } })) as unknown as
      { totals: { currency: string; net: string }[] },
  });
}
