import { useMutation, useQuery } from "@tanstack/react-query";
import { invoiceApi, productConfigApi, type InvoiceApi, type ProductConfigApi } from "../../../lib/api/clients";
import type { paths as InvoicePaths } from "../../../lib/api/invoice-svc";
import { unwrap } from "../../../lib/problem";

export type Product = ProductConfigApi["schemas"]["ProductView"];
export type ProductCreate = ProductConfigApi["schemas"]["ProductCreate"];
// The simulation's body is documented inline (it is validated with the pricing, off the event loop).
export type SimulationRequest = NonNullable<InvoicePaths["/v1/price-simulations"]["post"]["requestBody"]>["content"]["application/json"];
export type SimulatedInvoice = InvoiceApi["schemas"]["DraftInvoiceResponse"];

export function useProducts() {
  return useQuery({
    queryKey: ["products"],
    queryFn: async () => unwrap(await productConfigApi.GET("/v1/products", { params: { query: { limit: 200 } } })),
  });
}

export function useProduct(code: string) {
  return useQuery({
    queryKey: ["product", code],
    queryFn: async () => unwrap(await productConfigApi.GET("/v1/products/{code}", { params: { path: { code } } })),
  });
}

export function useReadiness(code: string) {
  return useQuery({
    queryKey: ["product-readiness", code],
    queryFn: async () => unwrap(await productConfigApi.GET("/v1/products/{code}/readiness", { params: { path: { code } } })),
  });
}

/** invoice-svc prices sample deliveries exactly as a bill run would, and writes nothing. */
export function useSimulation(onError: (error: unknown) => void) {
  return useMutation({
    mutationFn: async (body: SimulationRequest) => unwrap(await invoiceApi.POST("/v1/price-simulations", { body })) as SimulatedInvoice,
    onError,
  });
}
