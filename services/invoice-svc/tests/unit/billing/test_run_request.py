from datetime import date

import pytest

from invoice_svc.domain.billing.run_request import check_bill_run_request
from invoice_svc.domain.errors import InvalidRequest

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize("period", ["2026-12", "2026-11", "2019-01"])
def test_the_current_month_and_earlier_ones_may_be_billed(period):
    check_bill_run_request(period, today=TODAY, bill_to_account_ids=None, known_accounts=())


@pytest.mark.parametrize("period", ["2027-01", "2030-06"])
def test_a_month_that_has_not_begun_is_refused(period):
    with pytest.raises(InvalidRequest, match=f"period {period} has not begun") as refused:
        check_bill_run_request(period, today=TODAY, bill_to_account_ids=None, known_accounts=())
    assert refused.value.field == "period"


def test_every_unknown_bill_to_is_named_once_and_known_ones_are_not():
    with pytest.raises(InvalidRequest) as refused:
        check_bill_run_request("2026-11", today=TODAY, bill_to_account_ids=["AGY-1", "NOPE", "X", "NOPE"],
                               known_accounts={"AGY-1"})
    assert str(refused.value).startswith("unknown bill-to account NOPE, X:")
    assert refused.value.field == "bill_to_account_ids"
    check_bill_run_request("2026-11", today=TODAY, bill_to_account_ids=["AGY-1"], known_accounts={"AGY-1"})


def test_a_run_priced_as_if_another_source_billed_may_only_preview():
    check_bill_run_request("2026-11", today=TODAY, bill_to_account_ids=None, known_accounts=(), mode="preview",
                           source_system="oms")
    with pytest.raises(InvalidRequest, match="shadow preview and never issues") as refused:
        check_bill_run_request("2026-11", today=TODAY, bill_to_account_ids=None, known_accounts=(), mode="issue",
                               source_system="oms")
    assert refused.value.field == "source_system"
    check_bill_run_request("2026-11", today=TODAY, bill_to_account_ids=None, known_accounts=(), mode="issue")
