import { useQuery } from "@tanstack/react-query";
import { disputeApi, type DisputeApi } from "../../../lib/api/clients";
import { unwrap } from "../../../lib/problem";

export type Dispute = DisputeApi["schemas"]["DisputeOut"];

export function useDisputes(status: string | undefined, overdue: boolean) {
  return useQuery({
    queryKey: ["disputes", status, overdue],
    queryFn: async () =>
      unwrap(await disputeApi.GET("/v1/disputes", {
        params: { query: { status: (status || undefined) as never, overdue: overdue || undefined, limit: 200 } },
      })),
  });
}

export function useDispute(disputeId: string) {
  return useQuery({
    queryKey: ["dispute", disputeId],
    queryFn: async () => unwrap(await disputeApi.GET("/v1/disputes/{dispute_id}", { params: { path: { dispute_id: disputeId } } })),
  });
}

export function useEvidence(disputeId: string) {
  return useQuery({
    queryKey: ["dispute-evidence", disputeId],
    queryFn: async () =>
      unwrap(await disputeApi.GET("/v1/disputes/{dispute_id}/evidence", { params: { path: { dispute_id: disputeId } } })),
  });
}
