import { useQuery } from "@tanstack/react-query";
import { productConfigApi, type ProductConfigApi } from "../../../lib/api/clients";
import { unwrap } from "../../../lib/problem";

export type Product = ProductConfigApi["schemas"]["ProductView"];
export type ProductCreate = ProductConfigApi["schemas"]["ProductCreate"];

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
