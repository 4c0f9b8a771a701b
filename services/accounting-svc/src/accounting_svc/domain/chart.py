"""The chart-of-accounts mapping (close.md C8): which general-ledger account each posting role uses.

Revenue accounts come from each product's `gl_revenue_account` (carried on every invoice line); the others are
named here, with defaults documented in docs/operations.md ("Chart of accounts"). Agency commission maps to a
contra-revenue account by default; a network that reports gross maps it to an expense account instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from accounting_svc.domain.errors import InvalidChart

ROLES = ("receivable", "unbilled_receivable", "customer_credits", "cash_clearing", "unapplied_cash",
         "discount", "agency_commission", "tax_payable", "revenue")
COMMISSION_TREATMENTS = ("contra_revenue", "expense")


@dataclass(frozen=True)
class ChartOfAccounts:
    """Account numbers per posting role; `tax_payable_by_code` overrides `tax_payable` for a tax code."""

    receivable: str = "1200"
    unbilled_receivable: str = "1210"
    cash_clearing: str = "1010"
    customer_credits: str = "2150"
    unapplied_cash: str = "2160"
    tax_payable: str = "2200"
    tax_payable_by_code: dict[str, str] = field(default_factory=dict)
    revenue: str = "4000"  # a line whose product names no gl_revenue_account
    discount: str = "4900"
    agency_commission: str = "4910"
    commission_treatment: str = "contra_revenue"

    def __post_init__(self) -> None:
        for role in ROLES:
            if not str(getattr(self, role)).strip():
                raise InvalidChart(f"the {role} account may not be empty")
        if any(not code.strip() or not account.strip() for code, account in self.tax_payable_by_code.items()):
            raise InvalidChart("a tax code and its tax payable account may not be empty")
        if self.commission_treatment not in COMMISSION_TREATMENTS:
            raise InvalidChart(f"commission_treatment is one of {', '.join(COMMISSION_TREATMENTS)}")

    def tax_account(self, tax_code: str | None) -> str:
        return self.tax_payable_by_code.get(tax_code or "", self.tax_payable)

    def revenue_account(self, gl_revenue_account: str | None) -> str:
        return gl_revenue_account or self.revenue

    def contra_accounts(self) -> frozenset[str]:
        """The accounts that reduce revenue: discount, and commission unless it is booked as an expense."""
        contra = {self.discount}
        if self.commission_treatment == "contra_revenue":
            contra.add(self.agency_commission)
        return frozenset(contra)

    def with_changes(self, **changes: object) -> ChartOfAccounts:
        return replace(self, **changes)  # type: ignore[arg-type]


DEFAULT_CHART = ChartOfAccounts()
