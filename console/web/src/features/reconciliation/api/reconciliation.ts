import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { invoiceApi, productConfigApi, type InvoiceApi, type ProductConfigApi } from "../../../lib/api/clients";
import { unwrap } from "../../../lib/problem";

export type MeasurementRow = InvoiceApi["schemas"]["MeasurementRow"];
export type MeasurementTotals = InvoiceApi["schemas"]["MeasurementCurrencyTotals"];
export type DeliverySource = ProductConfigApi["schemas"]["DeliverySourceView"];

export interface MeasurementFilter {
  period: string;
  contract_id?: string;
}

function query(filter: MeasurementFilter) {
  return { period: filter.period, ...(filter.contract_id ? { contract_id: filter.contract_id } : {}) };
}

/** One page of first- vs third-party measurement per contract line (oversight.md O2). */
export function useMeasurement(filter: MeasurementFilter, cursor: string | null) {
  return useQuery({
    queryKey: ["measurement", filter, cursor],
    queryFn: async () => unwrap(await invoiceApi.GET("/v1/reconciliations/measurement", {
      params: { query: { ...query(filter), limit: 50, ...(cursor ? { cursor } : {}) } } })),
    placeholderData: keepPreviousData,
  });
}

/** The totals per currency over every line of the filter, from invoice-svc (never added up here). */
export function useMeasurementTotals(filter: MeasurementFilter) {
  return useQuery({
    queryKey: ["measurement-totals", filter],
    queryFn: async () => unwrap(await invoiceApi.GET("/v1/reconciliations/measurement/totals", {
      params: { query: query(filter) } })),
  });
}

/** The registered delivery sources and the CloudEvents sources allowed to publish each (oversight.md O1). */
export function useDeliverySources() {
  return useQuery({
    queryKey: ["delivery-sources"],
    queryFn: async () => unwrap(await productConfigApi.GET("/v1/delivery-sources", { params: { query: { limit: 200 } } })),
  });
}

export type SourceDayRow = InvoiceApi["schemas"]["SourceDayRow"];
export type SourceStatus = SourceDayRow["status"];
export type RunLineRow = InvoiceApi["schemas"]["RunLineRow"];
export type BillRunSummary = InvoiceApi["schemas"]["BillRunOut"];

export interface SourceFilter {
  period: string;
  left: string;
  right: string;
  contract_id?: string;
  product_code?: string;
  tolerance_pct?: string;
  status?: SourceStatus;
  sort?: "contract_line_date" | "-difference";
}

/** Two delivery sources per (contract, line item, service date), with the summary of the whole query (O1). */
export function useSourceReconciliation(filter: SourceFilter | null, cursor: string | null) {
  return useQuery({
    queryKey: ["source-reconciliation", filter, cursor],
    enabled: filter !== null,
    queryFn: async () => {
      const query = Object.fromEntries(Object.entries(filter ?? {}).filter(([, v]) => v)) as unknown as SourceFilter;
      return unwrap(await invoiceApi.GET("/v1/reconciliations/sources", {
        params: { query: { ...query, limit: 50, ...(cursor ? { cursor } : {}) } } }));
    },
    placeholderData: keepPreviousData,
  });
}

/** The latest bill runs, to pick two of one period to compare. */
export function useBillRunChoices() {
  return useQuery({
    queryKey: ["bill-runs"],
    queryFn: async () => unwrap(await invoiceApi.GET("/v1/bill-runs", { params: { query: { limit: 50 } } })),
  });
}

/** Two bill runs of a period per invoice group and line, with totals per currency over every line (O1). */
export function useBillRunDiff(runs: { left: string; right: string } | null, cursor: string | null) {
  return useQuery({
    queryKey: ["bill-run-diff", runs, cursor],
    enabled: runs !== null,
    queryFn: async () => unwrap(await invoiceApi.GET("/v1/reconciliations/bill-runs", {
      params: { query: { left: runs?.left ?? "", right: runs?.right ?? "", limit: 50, ...(cursor ? { cursor } : {}) } } })),
    placeholderData: keepPreviousData,
  });
}

export type AssuranceRun = InvoiceApi["schemas"]["AssuranceRunOut"];
export type BillingException = InvoiceApi["schemas"]["BillingExceptionOut"];

const RUNNING = new Set(["queued", "running"]);

/** Assurance runs, newest first, asked again every 2 s while one is queued or running: a run started here can be
 * left and found again (oversight.md O3). */
export function useAssuranceRuns() {
  return useQuery({
    queryKey: ["assurance-runs"],
    queryFn: async () => unwrap(await invoiceApi.GET("/v1/assurance-runs", { params: { query: { limit: 20 } } })),
    refetchInterval: (query) => ((query.state.data?.items ?? []).some((r) => RUNNING.has(r.status)) ? 2000 : false),
  });
}

/** The unresolved invoice_drift exceptions: one per drifted invoice, refreshed in place by later runs. */
export function useDriftedInvoices(refreshKey: string) {
  return useQuery({
    queryKey: ["drifted-invoices", refreshKey],
    queryFn: async () => unwrap(await invoiceApi.GET("/v1/exceptions", {
      params: { query: { kind: "invoice_drift", status: "unresolved", limit: 200 } } })),
  });
}
