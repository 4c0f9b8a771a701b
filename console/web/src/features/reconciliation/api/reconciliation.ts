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
