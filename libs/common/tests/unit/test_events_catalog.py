import json
import re
from pathlib import Path

import jsonschema
import pytest
from pydantic import TypeAdapter, ValidationError

from mediabill_common.events import docs
from mediabill_common.events.catalog import EVENT_TYPES, TOPICS, json_schema, parse_payload
from mediabill_common.events.types import Period

REPO = Path(__file__).resolve().parents[4]
SPEC = REPO.parent / "shared" / "spec" / "events.md"


def _spec_rows(spec: str) -> list[list[str]]:
    """The cells of every row of events.md's topic tables, planned ones included ("| accounting.journal.v1 |")."""
    rows = []
    for line in spec.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 5 and "." in cells[1] and not cells[1].startswith(("`<topic>", "topic", "planned topic")):
            rows.append(cells)
    return rows


def _types_named(cell: str) -> set[str]:
    # "JournalEntryPosted, PeriodClosed, PeriodReopened (`close.md`)": the names, without the pointer to their spec.
    return {t.strip() for t in re.sub(r"\(.*?\)", "", cell).split(",") if t.strip()}


# Types another spec file requires on a topic whose events.md row does not name them yet, each with the words of
# that spec that require it (checked below, so the allowance goes when the requirement does).
SPEC_EXTENSIONS: dict[str, dict[str, tuple[str, str]]] = {
    # oversight.md O1: delivery sources are "carried to invoice-svc as config state like products".
    "billing.config.v1": {"DeliverySourceRegistered": ("oversight.md", "carried to invoice-svc as config state")},
}


def _implemented_rows() -> list[list[str]]:
    """The binding topics, and the planned topics the catalog implements: a planned topic counts once it does (with
    the SPEC_EXTENSIONS of its topic)."""
    rows = []
    for cells in _spec_rows(SPEC.read_text()):
        planned = not cells[1].startswith("`")
        if not planned or cells[1] in TOPICS:
            topic = cells[1].strip("`")
            extra = ", ".join(SPEC_EXTENSIONS.get(topic, {}))
            rows.append([cells[0], topic, *cells[2:5], f"{cells[5]}, {extra}" if extra else cells[5], *cells[6:]])
    return rows


def test_each_spec_extension_is_still_required_by_its_spec():
    for types in SPEC_EXTENSIONS.values():
        for event_type, (spec_file, words) in types.items():
            text = " ".join((SPEC.parent / spec_file).read_text().split())
            assert words in text, (event_type, spec_file, words)
            assert event_type not in SPEC.read_text(), f"events.md names {event_type} now: drop its extension"


def test_every_event_type_named_in_the_spec_is_catalogued():
    named = set()
    for cells in _implemented_rows():
        named.update(_types_named(cells[5]))
    assert named == set(EVENT_TYPES)


def test_topics_match_the_spec_table():
    listed = {cells[1] for cells in _implemented_rows()}
    assert set(TOPICS) <= listed
    for cells in _implemented_rows():
        assert set(TOPICS[cells[1]]) == _types_named(cells[5]), cells[1]


def test_a_planned_topic_counts_once_the_catalog_implements_all_its_types():
    planned = [cells for cells in _spec_rows(SPEC.read_text()) if not cells[1].startswith("`")]
    assert planned, "events.md lists no planned topic any more: drop this test"
    for cells in planned:
        implemented = set(TOPICS.get(cells[1], []))
        assert implemented in (set(), _types_named(cells[5])), f"{cells[1]} is implemented only in part"


def test_generated_docs_are_up_to_date():
    stale = [rel for rel, content in docs.generated_files().items()
             if not (REPO / rel).exists() or (REPO / rel).read_text() != content]
    assert stale == [], "run: uv run python -m mediabill_common.events.docs"


def test_asyncapi_document_is_version_3_and_lists_every_message():
    document = docs.asyncapi_document()
    assert document["asyncapi"] == "3.0.0"
    assert set(document["components"]["messages"]) == set(EVENT_TYPES)
    addresses = {c["address"] for c in document["channels"].values()}
    assert addresses == set(TOPICS)


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_each_json_schema_is_valid_draft_2020_12(event_type):
    jsonschema.Draft202012Validator.check_schema(json_schema(event_type))


def test_money_is_a_string_on_the_wire_and_floats_are_refused():
    data = {"payment_id": "p1", "invoice_id": "i1", "bill_to_account_id": "a1", "amount": "10.50",
            "currency": "USD", "applied_at": "2026-11-01T10:00:00Z"}
    payload = parse_payload("PaymentApplied", data)
    dumped = payload.model_dump(mode="json")
    assert dumped["amount"] == "10.50"
    jsonschema.validate(json.loads(json.dumps(dumped)), json_schema("PaymentApplied"))
    with pytest.raises(ValidationError):
        parse_payload("PaymentApplied", {**data, "amount": 10.5})
    with pytest.raises(ValidationError):
        parse_payload("PaymentApplied", {**data, "currency": "DOLLARS"})


def test_campaign_delivered_requires_currency_with_media_cost():
    base = {"delivery_id": "d1", "revision": 0, "source_system": "pio", "account_id": "a1", "contract_id": None,
            "campaign_id": "c1", "line_item_id": "l1", "product_code": "SP", "delivery_date": "2026-03-14",
            "impressions": 10, "viewable_impressions": 5, "clicks": 1, "conversions": 0}
    parse_payload("CampaignDelivered", base)
    with pytest.raises(ValidationError):
        parse_payload("CampaignDelivered", {**base, "media_cost": "1.00"})
    with pytest.raises(ValidationError):
        parse_payload("CampaignDelivered", {**base, "revision": -1})


@pytest.mark.parametrize(("period", "valid"), [("2026-03", True), ("0001-12", True), ("0000-01", False),
                                               ("2026-13", False), ("\u0968\u0966\u0968\u096c-03", False)])
def test_a_period_is_yyyy_mm_in_ascii_digits_from_year_one(period, valid):
    # "0000-01" was accepted and then failed in the calendar (a price simulation answered 500).
    adapter = TypeAdapter(Period)
    assert (re.fullmatch(adapter.json_schema()["pattern"], period) is not None) is valid
    if valid:
        assert adapter.validate_python(period) == period
    else:
        with pytest.raises(ValidationError):
            adapter.validate_python(period)
