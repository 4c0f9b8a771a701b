import { NavLink, useSearchParams } from "react-router-dom";
import { Assurance } from "./Assurance";
import { BillRunComparison } from "./BillRunComparison";
import { DeliverySources } from "./DeliverySources";
import { Measurement } from "./Measurement";

// The views of oversight.md this console has an API for; each is a link, so a view can be bookmarked and shared.
const VIEWS = [
  { view: "measurement", label: "First- vs third-party" },
  { view: "sources", label: "Delivery sources" },
  { view: "bill-runs", label: "Bill run comparison" },
  { view: "assurance", label: "Billing assurance" },
] as const;
type View = (typeof VIEWS)[number]["view"];

export function ReconciliationPage() {
  const [params] = useSearchParams();
  const asked = params.get("view");
  const view: View = VIEWS.some((v) => v.view === asked) ? (asked as View) : "measurement";
  return (
    <>
      <h1>Reconciliation</h1>
      <nav aria-label="Reconciliation views" className="views">
        <ul>
          {VIEWS.map((v) => (
            <li key={v.view}>
              <NavLink to={`/reconciliation?view=${v.view}`} aria-current={v.view === view ? "page" : undefined}
                className={v.view === view ? "active" : undefined}>
                {v.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      {view === "measurement" ? <Measurement /> : null}
      {view === "sources" ? <DeliverySources /> : null}
      {view === "bill-runs" ? <BillRunComparison /> : null}
      {view === "assurance" ? <Assurance /> : null}
    </>
  );
}
