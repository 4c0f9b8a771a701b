import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { BrowserRouter, Navigate, Route, Routes } from "react-router-dom";
import { SessionProvider, useSession } from "../lib/session";
import { ProblemError } from "../lib/problem";
import { Layout } from "./Layout";
import { SignInPage } from "../features/auth/components/SignInPage";
import { InvoiceListPage } from "../features/invoices/components/InvoiceListPage";
import { InvoicePage } from "../features/invoices/components/InvoicePage";
import { DisputeListPage } from "../features/disputes/components/DisputeListPage";
import { DisputePage } from "../features/disputes/components/DisputePage";
import { ApprovalsPage } from "../features/approvals/components/ApprovalsPage";
import { ProductListPage } from "../features/products/components/ProductListPage";
import { ProductPage } from "../features/products/components/ProductPage";
import { OverviewPage } from "../features/overview/components/OverviewPage";

const queries = new QueryClient({
  defaultOptions: {
    queries: {
      // A refusal (4xx) is an answer, not a hiccup: show it at once rather than asking again.
      retry: (failures, error) => !(error instanceof ProblemError && (error.problem.status ?? 500) < 500) && failures < 2,
      refetchOnWindowFocus: false,
    },
  },
});

function SignedIn() {
  const { person } = useSession();
  if (!person) return <Navigate to="/sign-in" replace />;
  return <Layout />;
}

export function App() {
  return (
    <QueryClientProvider client={queries}>
      <SessionProvider>
        <BrowserRouter>
          <Routes>
            <Route path="/sign-in" element={<SignInPage />} />
            <Route element={<SignedIn />}>
              <Route index element={<OverviewPage />} />
              <Route path="invoices" element={<InvoiceListPage />} />
              <Route path="invoices/:invoiceId" element={<InvoicePage />} />
              <Route path="disputes" element={<DisputeListPage />} />
              <Route path="disputes/:disputeId" element={<DisputePage />} />
              <Route path="approvals" element={<ApprovalsPage />} />
              <Route path="products" element={<ProductListPage />} />
              <Route path="products/:code" element={<ProductPage />} />
              <Route path="*" element={<p>There is no such page.</p>} />
            </Route>
          </Routes>
        </BrowserRouter>
      </SessionProvider>
    </QueryClientProvider>
  );
}
