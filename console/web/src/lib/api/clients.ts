// Typed clients of the services' APIs, through the console's same-origin proxy (/api/<service>/...). The types are
// generated from each service's OpenAPI document at build time (npm run api), so an API change the console does
// not follow fails `tsc`.
import createClient from "openapi-fetch";
import type { paths as AccountingPaths } from "./accounting-svc";
import type { paths as AdjustmentPaths } from "./adjustment-svc";
import type { paths as DisputePaths } from "./dispute-svc";
import type { paths as InvoicePaths } from "./invoice-svc";
import type { paths as ProductConfigPaths } from "./product-config-svc";

export type { components as InvoiceApi } from "./invoice-svc";
export type { components as DisputeApi } from "./dispute-svc";
export type { components as AdjustmentApi } from "./adjustment-svc";
export type { components as ProductConfigApi } from "./product-config-svc";
export type { components as AccountingApi } from "./accounting-svc";

const options = (service: string) => ({ baseUrl: `${window.location.origin}/api/${service}`, credentials: "same-origin" as const });

export const invoiceApi = createClient<InvoicePaths>(options("invoice-svc"));
export const disputeApi = createClient<DisputePaths>(options("dispute-svc"));
export const adjustmentApi = createClient<AdjustmentPaths>(options("adjustment-svc"));
export const productConfigApi = createClient<ProductConfigPaths>(options("product-config-svc"));
export const accountingApi = createClient<AccountingPaths>(options("accounting-svc"));

/** A key for a write the services deduplicate: the same form submitted twice is one change. */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}
