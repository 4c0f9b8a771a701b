"""The handler contract's table: what it accepts, the topics it derives from the catalog, how it dispatches."""

import pytest

from mediabill_common.consumer import Event, HandlerTable
from mediabill_common.events.envelope import new_envelope


def _event(event_type: str, data: dict | None = None) -> Event:
    return Event(new_envelope(type=event_type, source="/mediabill/invoice-svc", subject="s", data=data or {}),
                 payload=None)


async def _noop(event, unit) -> None:
    return None


def test_the_topics_are_those_of_the_handled_types_in_the_catalogs_order():
    table = HandlerTable({"PaymentApplied": _noop, "InvoiceIssued": _noop, "ContractAmended": _noop},
                         batch_handlers={"CampaignDelivered": _noop})
    assert table.topics() == ["ads.delivery.v1", "billing.config.v1", "billing.invoices.v1",
                              "collections.payments.v1"]


def test_a_type_the_catalog_does_not_know_is_refused_at_registration():
    with pytest.raises(ValueError, match="InvoiceArchived"):
        HandlerTable({"InvoiceArchived": _noop})


def test_a_type_with_both_a_handler_and_a_batch_handler_is_refused():
    with pytest.raises(ValueError, match="both a handler and a batch handler"):
        HandlerTable({"CampaignDelivered": _noop}, batch_handlers={"CampaignDelivered": _noop})


async def test_dispatch_hands_an_event_to_its_handler_or_as_a_batch_of_one():
    seen: list[tuple[str, object, object]] = []

    async def single(event, unit) -> None:
        seen.append(("single", event.type, unit))

    async def batch(events, unit) -> None:
        seen.append(("batch", [e.type for e in events], unit))

    table = HandlerTable({"InvoiceIssued": single}, batch_handlers={"CampaignDelivered": batch})
    unit = object()
    await table.dispatch(_event("InvoiceIssued"), unit)
    await table.dispatch(_event("CampaignDelivered"), unit)
    assert seen == [("single", "InvoiceIssued", unit), ("batch", ["CampaignDelivered"], unit)]
    with pytest.raises(LookupError, match="no handler for InvoiceVoided"):
        await table.dispatch(_event("InvoiceVoided"), unit)
