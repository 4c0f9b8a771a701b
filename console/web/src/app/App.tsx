import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { lazy } from "react";
import { BrowserRouter, Navigate, Route, Routes } from "react-router-dom";
import { SessionProvider, useSession } from "../lib/session";
import { ProblemError } from "../lib/problem";
import { Layout } from "./Layout";
import { SignInPage } from "../features/auth/components/SignInPage";

// Each area is its own chunk, loaded when first opened: the invoice list does not wait for the overview's charts.
const InvoiceListPage = lazy(() => import("../features/invoices/components/InvoiceListPage").then((m) => ({ default: m.InvoiceListPage })));
const InvoicePage = lazy(() => import("../features/invoices/components/InvoicePage").then((m) => ({ default: m.InvoicePage })));
const DisputeListPage = lazy(() => import("../features/disputes/components/DisputeListPage").then((m) => ({ default: m.DisputeListPage })));
const DisputePage = lazy(() => import("../features/disputes/components/DisputePage").then((m) => ({ default: m.DisputePage })));
const ApprovalsPage = lazy(() => import("../features/approvals/components/ApprovalsPage").then((m) => ({ default: m.ApprovalsPage })));
const ProductListPage = lazy(() => import("../features/products/components/ProductListPage").then((m) => ({ default: m.ProductListPage })));
const ProductPage = lazy(() => import("../features/products/components/ProductPage").then((m) => ({ default: m.ProductPage })));
const ExceptionsPage = lazy(() => import("../features/exceptions/components/ExceptionsPage").then((m) => ({ default: m.ExceptionsPage })));
const BillRunsPage = lazy(() => import("../features/billruns/components/BillRunsPage").then((m) => ({ default: m.BillRunsPage })));
const MonthEndPage = lazy(() => import("../features/monthend/components/MonthEndPage").then((m) => ({ default: m.MonthEndPage })));
const AccountListPage = lazy(() => import("../features/accounts/components/AccountListPage").then((m) => ({ default: m.AccountListPage })));
const AccountPage = lazy(() => import("../features/accounts/components/AccountPage").then((m) => ({ default: m.AccountPage })));
const ContractPage = lazy(() => import("../features/accounts/components/ContractPage").then((m) => ({ default: m.ContractPage })));
const ReconciliationPage = lazy(() => import("../features/reconciliation/components/ReconciliationPage").then((m) => ({ default: m.ReconciliationPage })));
const OverviewPage = lazy(() => import("../features/overview/components/OverviewPage").then((m) => ({ default: m.OverviewPage })));

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
              <Route path="bill-runs" element={<BillRunsPage />} />
              <Route path="exceptions" element={<ExceptionsPage />} />
              <Route path="disputes" element={<DisputeListPage />} />
              <Route path="disputes/:disputeId" element={<DisputePage />} />
              <Route path="approvals" element={<ApprovalsPage />} />
              <Route path="products" element={<ProductListPage />} />
              <Route path="products/:code" element={<ProductPage />} />
              <Route path="accounts" element={<AccountListPage />} />
              <Route path="accounts/:accountId" element={<AccountPage />} />
              <Route path="contracts/:contractId" element={<ContractPage />} />
              <Route path="month-end" element={<MonthEndPage />} />
              <Route path="reconciliation" element={<ReconciliationPage />} />
              <Route path="*" element={<p>There is no such page.</p>} />
            </Route>
          </Routes>
        </BrowserRouter>
      </SessionProvider>
    </QueryClientProvider>
  );
}
