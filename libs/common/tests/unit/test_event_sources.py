"""Which source may publish which event type (events/sources.py)."""

import pytest

from mediabill_common.events.sources import TrustedSources


def test_mediabill_events_are_accepted_only_from_their_producing_service():
    sources = TrustedSources()
    assert sources.refusal("ContractAmended", "/mediabill/product-config-svc") is None
    assert sources.refusal("InvoiceIssued", "/mediabill/invoice-svc") is None
    assert sources.refusal("BillingExceptionRaised", "/mediabill/invoice-svc") is None
    assert sources.refusal("CreditMemoIssued", "/mediabill/adjustment-svc") is None
    assert sources.refusal("DisputeOpened", "/mediabill/dispute-svc") is None
    for forged in ("/mediabill/invoice-svc", "/mediabill/product-config-svc/x", "/ad-platforms/pio", ""):
        assert sources.refusal("ContractAmended", forged) is not None, forged


def test_outside_topics_accept_the_sources_below_their_prefix_and_nothing_else():
    sources = TrustedSources()
    assert sources.refusal("CampaignDelivered", "/ad-platforms/pio") is None
    assert sources.refusal("PaymentApplied", "/collections/simulated") is None
    assert sources.refusal("CampaignDelivered", "/ad-platforms/") is not None  # the prefix itself names nobody
    assert sources.refusal("CampaignDelivered", "/ad-platformsX/pio") is not None
    assert sources.refusal("PaymentApplied", "/ad-platforms/pio") is not None
    assert sources.refusal("SomethingNew", "/anyone") is None  # unknown types are ignored, not refused


def test_a_deployment_narrows_an_outside_topic_to_exact_sources():
    sources = TrustedSources.configured({"ads.delivery.v1": ["/ad-platforms/pio", "/ad-platforms/oms/"]})
    assert sources.refusal("CampaignDelivered", "/ad-platforms/pio") is None
    assert sources.refusal("CampaignDelivered", "/ad-platforms/oms/eu") is None
    assert sources.refusal("CampaignDelivered", "/ad-platforms/pio2") == (
        "source '/ad-platforms/pio2' may not publish CampaignDelivered: accepted are /ad-platforms/pio, "
        "/ad-platforms/oms/...")
    assert sources.refusal("PaymentApplied", "/collections/x") is None  # the other topic keeps its default


@pytest.mark.parametrize("topic", ["billing.config.v1", "no.such.topic"])
def test_only_outside_topics_can_be_configured(topic):
    with pytest.raises(ValueError, match="external event sources can be set only for"):
        TrustedSources.configured({topic: ["/anyone/"]})


def test_a_long_source_is_cut_in_the_reason():
    reason = TrustedSources().refusal("ContractAmended", "/x" * 5000)
    assert reason is not None and len(reason) < 400
