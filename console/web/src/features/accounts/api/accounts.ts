import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { productConfigApi, type ProductConfigApi } from "../../../lib/api/clients";
import { unwrap } from "../../../lib/problem";

export type Account = ProductConfigApi["schemas"]["AccountView"];
export type Contract = ProductConfigApi["schemas"]["ContractView"];
export type ContractLine = ProductConfigApi["schemas"]["ContractLine"];
export type AuditEntry = ProductConfigApi["schemas"]["AuditEntry"];

/** Accounts whose legal name or id contains `q` (the API's own search); every account when `q` is empty. */
export function useAccounts(q: string) {
  return useQuery({
    queryKey: ["accounts", q],
    queryFn: async () => unwrap(await productConfigApi.GET("/v1/accounts", { params: { query: { q: q || undefined, limit: 200 } } })),
    placeholderData: keepPreviousData,
  });
}

export function useAccount(accountId: string) {
  return useQuery({
    queryKey: ["account", accountId],
    queryFn: async () => unwrap(await productConfigApi.GET("/v1/accounts/{account_id}", { params: { path: { account_id: accountId } } })),
  });
}

/** The contracts an account is party to: as the advertiser and as the bill-to (an agency bills for others). */
export function useAccountContracts(accountId: string) {
  return useQuery({
    queryKey: ["account-contracts", accountId],
    queryFn: async () => {
      const [advertiser, billTo] = await Promise.all([
        productConfigApi.GET("/v1/contracts", { params: { query: { advertiser_account_id: accountId, limit: 200 } } }),
        productConfigApi.GET("/v1/contracts", { params: { query: { bill_to_account_id: accountId, limit: 200 } } }),
      ]);
      const byId = new Map<string, Contract>();
      for (const c of [...unwrap(advertiser).items, ...unwrap(billTo).items]) byId.set(c.contract_id, c);
      return [...byId.values()];
    },
  });
}

export function useContract(contractId: string) {
  return useQuery({
    queryKey: ["contract", contractId],
    queryFn: async () => unwrap(await productConfigApi.GET("/v1/contracts/{contract_id}", { params: { path: { contract_id: contractId } } })),
  });
}

/** Who changed the contract, what, when and why: product-config-svc's audit trail of the contract, newest first. */
export function useContractHistory(contractId: string) {
  return useQuery({
    queryKey: ["contract-history", contractId],
    queryFn: async () => unwrap(await productConfigApi.GET("/v1/audit", {
      params: { query: { entity_type: "contract", entity_id: contractId, limit: 200 } } })),
  });
}
