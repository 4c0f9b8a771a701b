import { useQuery } from "@tanstack/react-query";
import { adjustmentApi, type AdjustmentApi } from "../../../lib/api/clients";
import { unwrap } from "../../../lib/problem";

export type Adjustment = AdjustmentApi["schemas"]["AdjustmentOut"];

/** What adjustment-svc says the signed-in person may approve now (never their own request). */
export function useInbox() {
  return useQuery({
    queryKey: ["approvals-inbox"],
    queryFn: async () => unwrap(await adjustmentApi.GET("/v1/adjustments", { params: { query: { approvable_by: "me", limit: 200 } } })),
  });
}

export function usePending() {
  return useQuery({
    queryKey: ["approvals-pending"],
    queryFn: async () => unwrap(await adjustmentApi.GET("/v1/adjustments", { params: { query: { status: "pending_approval", limit: 200 } } })),
  });
}
