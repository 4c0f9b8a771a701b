import { Suspense } from "react";
import { NavLink, Outlet, useLocation, useNavigate } from "react-router-dom";
import { PageErrorBoundary } from "../components/PageErrorBoundary";
import { signOut, useSession } from "../lib/session";

// The areas of console.md.
const AREAS = [
  { to: "/", label: "Overview", end: true },
  { to: "/invoices", label: "Invoices" },
  { to: "/bill-runs", label: "Bill runs" },
  { to: "/exceptions", label: "Exceptions" },
  { to: "/disputes", label: "Disputes" },
  { to: "/approvals", label: "Approvals" },
  { to: "/products", label: "Products" },
  { to: "/accounts", label: "Accounts" },
  { to: "/month-end", label: "Month-end" },
  { to: "/reconciliation", label: "Reconciliation" },
];

export function Layout() {
  const { person, refresh } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Mediabill</span>
        <nav aria-label="Main">
          <ul>
            {AREAS.map((area) => (
              <li key={area.to}>
                <NavLink to={area.to} end={area.end}>
                  {area.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span>
            {person?.name} ({person?.roles.join(", ")})
          </span>
          <button
            type="button"
            onClick={async () => {
              await signOut();
              await refresh();
              navigate("/sign-in");
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main">
        <PageErrorBoundary key={location.pathname}>
          <Suspense fallback={<p role="status">Loading…</p>}>
            <Outlet />
          </Suspense>
        </PageErrorBoundary>
      </main>
    </>
  );
}
