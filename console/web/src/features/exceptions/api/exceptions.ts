import { useQuery } from "@tanstack/react-query";
import { invoiceApi, type InvoiceApi } from "../../../lib/api/clients";
import { unwrap } from "../../../lib/problem";

export type BillingException = InvoiceApi["schemas"]["BillingExceptionOut"];

export function useExceptions(status: string, kind: string) {
  return useQuery({
    queryKey: ["exceptions", status, kind],
    queryFn: async () => unwrap(await invoiceApi.GET("/v1/exceptions", {
      params: { query: { status: (status || undefined) as never, kind: kind || undefined, limit: 200 } },
    })),
  });
}
