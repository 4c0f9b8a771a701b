"""Rule 2: one invoice per (bill-to, contract, period); self-serve deliveries per (advertiser, period)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

# The contract key of a self-serve group (no contract): stored as '' so one unique index covers both kinds.
SELF_SERVE = ""


@dataclass(frozen=True, order=True)
class GroupKey:
    """Identifies one invoice: who pays, under which contract ('' = self-serve on the account's terms), when."""

    bill_to_account_id: str
    contract_key: str
    period: str

    @property
    def contract_id(self) -> str | None:
        return self.contract_key or None

    @property
    def is_self_serve(self) -> bool:
        return self.contract_key == SELF_SERVE

    def label(self) -> str:
        return f"{self.bill_to_account_id}/{self.contract_key or 'self-serve'}/{self.period}"


def group_for_delivery(contract_id: str | None, advertiser_account_id: str, contract_bill_to: str | None,
                       period: str) -> GroupKey | None:
    """The group a billable delivery belongs to: its contract's billing party (rule 3), or the advertiser itself
    for a self-serve delivery. None when the contract is not known (it cannot be billed yet)."""
    if contract_id is None:
        return GroupKey(advertiser_account_id, SELF_SERVE, period)
    if contract_bill_to is None:
        return None
    return GroupKey(contract_bill_to, contract_id, period)


def in_scope(keys: Iterable[GroupKey], bill_to_account_ids: Sequence[str] | None) -> list[GroupKey]:
    """The run's groups in a stable order, limited to the requested bill-to accounts when given."""
    wanted = set(bill_to_account_ids) if bill_to_account_ids else None
    # GroupKey's order, compared as plain tuples (its generated __lt__ cost seconds over 100,000s of groups).
    return sorted({k for k in keys if wanted is None or k.bill_to_account_id in wanted},
                  key=lambda k: (k.bill_to_account_id, k.contract_key, k.period))


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most `size` items (a bill run prices and writes a chunk per transaction)."""
    for start in range(0, len(items), max(size, 1)):
        yield items[start:start + size]


def delivery_scope(contract_key: str, account_id: str) -> str:
    """Whose deliveries a group bills: a contract's, or (self-serve) an advertiser account's without contract."""
    return contract_key if contract_key else f"self-serve:{account_id}"
