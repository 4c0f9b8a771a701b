"""The checklist items of close.md C10 that need no database: the journal fails on dead letters and names them; the
exposure items (billing exceptions, disputes, credit requests) are informational, whatever they hold."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from accounting_svc.domain.checklist import DeadLetter, JournalFigures, failing, journal_item
from accounting_svc.domain.exposure import OpenAmounts, exceptions_item, open_amounts_item, per_currency

SINCE = datetime(2026, 11, 1, tzinfo=UTC)
ISSUED = {"USD": (2, Decimal("300.00"))}


def _figures(dead: list[DeadLetter], posted: dict[str, tuple[int, Decimal]] | None = None) -> JournalFigures:
    return JournalFigures(posted=ISSUED if posted is None else posted, waiting=0, receivable={}, customer_credits={},
                          reported={}, dead_letters=dead, dead_letters_since=SINCE)


def _dead(event_id: str | None, reason: str, offset: int = 7) -> DeadLetter:
    return DeadLetter(event_id, "InvoiceIssued" if event_id else None, "billing.invoices.v1", 0, offset, reason,
                      datetime(2026, 11, 20, 9, 30, tzinfo=UTC))


def test_journal_complete_passes_when_posted_equals_issued_and_nothing_was_dead_lettered():
    item = journal_item(ISSUED, _figures([]))
    assert (item.status, item.blocking, item.details["dead_lettered"], item.details["dead_letters"]) == \
        ("pass", True, 0, [])


def test_a_dead_letter_fails_journal_complete_even_when_the_counts_agree_and_names_the_event_and_reason():
    dead = [_dead("evt-1", "ValidationError: total is not a decimal"), _dead(None, "not JSON", offset=9)]
    item = journal_item(ISSUED, _figures(dead))
    assert (item.status, item.blocking) == ("fail", True)
    assert "2 events accounting-svc consumed were dead-lettered since 2026-11-01" in item.why
    assert "InvoiceIssued evt-1 (ValidationError: total is not a decimal)" in item.why
    assert "a record at billing.invoices.v1:0:9 (not JSON)" in item.why
    assert item.details["dead_lettered"] == 2
    assert [(d["event_id"], d["reason"], d["offset"]) for d in item.details["dead_letters"]] == [
        ("evt-1", "ValidationError: total is not a decimal", 7), (None, "not JSON", 9)]
    assert failing([item]) == [item]


def test_differing_counts_and_dead_letters_are_both_said():
    item = journal_item(ISSUED, _figures([_dead("evt-2", "boom")], posted={"USD": (1, Decimal("100.00"))}))
    assert item.status == "fail"
    assert item.why.startswith("posted invoices differ from issued ones in USD; 1 events accounting-svc consumed")


def test_many_dead_letters_are_counted_all_and_listed_up_to_fifty():
    dead = [_dead(f"evt-{i}", "boom", offset=i) for i in range(60)]
    item = journal_item(ISSUED, _figures(dead))
    assert (item.details["dead_lettered"], len(item.details["dead_letters"])) == (60, 50)
    assert "and 57 more" in item.why


def test_open_amounts_are_summed_per_currency_exactly():
    rows = per_currency([("USD", Decimal("10.10")), ("EUR", Decimal("5")), ("USD", Decimal("0.20"))])
    assert rows == {"EUR": {"count": 1, "amount": "5"}, "USD": {"count": 2, "amount": "10.30"}}


def test_open_disputes_are_informational_with_their_exposure_per_currency():
    item = open_amounts_item("open_disputes", "open disputes",
                             OpenAmounts([("USD", Decimal("120.00")), ("USD", Decimal("30.50"))]), None)
    assert (item.status, item.blocking) == ("info", False)
    assert item.why == "2 open disputes: 150.50 USD"
    assert item.details == {"by_currency": {"USD": {"count": 2, "amount": "150.50"}}, "count": 2, "partial": False}
    assert failing([item]) == []


def test_a_partial_read_says_at_least_and_none_open_says_so():
    partial = open_amounts_item("pending_credit_requests", "pending credit requests",
                                OpenAmounts([("EUR", Decimal("9.99"))], partial=True), None)
    assert partial.why == "at least 1 pending credit requests: 9.99 EUR"
    empty = open_amounts_item("pending_credit_requests", "pending credit requests", OpenAmounts([]), None)
    assert (empty.status, empty.why) == ("info", "no pending credit requests")


def test_a_service_that_cannot_be_read_makes_its_item_say_so_and_never_blocks():
    item = open_amounts_item("open_disputes", "open disputes", None, "dispute-svc unreachable: ConnectError")
    assert (item.status, item.blocking, item.why) == ("info", False,
                                                      "could not be read: dispute-svc unreachable: ConnectError")
    exceptions = exceptions_item(None, "invoice-svc answered 503")
    assert (exceptions.status, exceptions.blocking) == ("info", False)
    assert exceptions.why == "could not be read: invoice-svc's billing status is unavailable: invoice-svc answered 503"
    older = exceptions_item({"complete": True, "documents": []}, None)
    assert older.why == "could not be read: invoice-svc's billing status carries no open_exceptions"


def test_open_billing_exceptions_of_the_period_show_their_revenue_at_risk():
    status = {"complete": True, "open_exceptions": {
        "count": 3, "by_kind": [{"kind": "unknown_contract", "currency": "USD", "open": 3}],
        "revenue_at_risk": [{"currency": "USD", "value": "1250.00", "open": 3, "unpriced": 1,
                             "unpriced_quantity": [{"unit": "impressions", "quantity": 5000}]}]}}
    item = exceptions_item(status, None)
    assert (item.item, item.status, item.blocking) == ("open_billing_exceptions", "info", False)
    assert item.why == "3 open billing exceptions of the period hold back 1250.00 USD (1 could not be priced)"
    assert item.details["revenue_at_risk"][0]["value"] == "1250.00"
    none = exceptions_item({"open_exceptions": {"count": 0, "by_kind": [], "revenue_at_risk": []}}, None)
    assert none.why == "no open billing exception of the period"
