import { forwardRef, type SelectHTMLAttributes } from "react";
import type { InvoiceApi } from "../lib/api/clients";

/** The shared root-cause list (oversight.md O4) a person picks from when resolving; `system_resolved` is the
 * system's own. Checked against invoice-svc's OpenAPI document, so a change to the list fails the build. */
export type RootCause = NonNullable<InvoiceApi["schemas"]["ResolveRequest"]["root_cause"]>;

export const ROOT_CAUSES = [
  "config_rate_card", "config_contract", "config_product", "config_account", "delivery_data",
  "third_party_discrepancy", "invalid_traffic", "late_booking", "make_good", "system_migration", "system_defect",
  "policy", "customer_error", "no_error", "other",
] as const satisfies readonly RootCause[];

// Every cause of the API's list is offered: a cause the API adds and this list lacks fails `tsc` here.
type Missing = Exclude<RootCause, (typeof ROOT_CAUSES)[number]>;
const _allOffered: Missing extends never ? true : never = true;
void _allOffered;

export const RootCauseSelect = forwardRef<HTMLSelectElement, SelectHTMLAttributes<HTMLSelectElement>>(
  function RootCauseSelect(props, ref) {
    return (
      <select ref={ref} {...props}>
        <option value="">pick the root cause</option>
        {ROOT_CAUSES.map((c) => <option key={c} value={c}>{c.replace(/_/g, " ")}</option>)}
      </select>
    );
  });
