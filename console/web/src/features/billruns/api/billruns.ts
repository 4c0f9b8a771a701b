import { useQuery } from "@tanstack/react-query";
import { invoiceApi, type InvoiceApi } from "../../../lib/api/clients";
import { unwrap } from "../../../lib/problem";

export type BillRun = InvoiceApi["schemas"]["BillRunOut"];

const ACTIVE = new Set(["queued", "running"]);

/** The runs, asked again every 2 s while one is queued or running (a run can be left and found again here). */
export function useBillRuns() {
  return useQuery({
    queryKey: ["bill-runs"],
    queryFn: async () => unwrap(await invoiceApi.GET("/v1/bill-runs", { params: { query: { limit: 50 } } })),
    refetchInterval: (query) => ((query.state.data?.items ?? []).some((r) => ACTIVE.has(r.status)) ? 2000 : false),
  });
}
