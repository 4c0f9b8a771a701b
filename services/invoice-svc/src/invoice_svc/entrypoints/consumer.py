"""Kafka topics invoice-svc consumes and the handler for each event type."""

from aiokafka import AIOKafkaProducer

from invoice_svc.adapters.config_repository import ConfigReader
from invoice_svc.app.config_read_model import ConfigReadModel
from invoice_svc.app.record_deliveries import RecordDeliveries
from invoice_svc.entrypoints.balance_handlers import BALANCE_TOPICS, balance_handlers
from mediabill_common.consumer import ConsumerRunner
from mediabill_common.consumer.runner import BatchHandler, Handler
from mediabill_common.events.catalog import CONFIG_TOPIC, DELIVERY_TOPIC
from mediabill_common.service import ServiceContext

TOPICS: list[str] = [DELIVERY_TOPIC, CONFIG_TOPIC, *BALANCE_TOPICS]


def handler_tables(ctx: ServiceContext) -> tuple[dict[str, Handler], dict[str, BatchHandler]]:
    """Event type -> handler (one event per call) and event type -> batch handler (the whole batch's events)."""
    reader = ConfigReader()
    config = ConfigReadModel(ctx.outbox, ctx.audit, reader)
    product, account, contract = (config.when_product_changed_refresh_and_recheck,
                                  config.when_account_changed_refresh_and_recheck,
                                  config.when_contract_changed_refresh_and_recheck)
    handlers: dict[str, Handler] = {
        "ProductCreated": product, "ProductUpdated": product, "RateCardAdded": product,
        "ProductActivated": product, "ProductRetired": product,
        "BillingAccountUpserted": account,
        "ContractCreated": contract, "ContractActivated": contract, "ContractAmended": contract,
        "ContractEnded": contract,
        **balance_handlers(ctx),
    }
    batch_handlers: dict[str, BatchHandler] = {
        "CampaignDelivered": RecordDeliveries(ctx.outbox, ctx.audit, reader),
    }
    return handlers, batch_handlers


def make_runner(ctx: ServiceContext, producer: AIOKafkaProducer, *, name: str | None = None) -> ConsumerRunner:
    handlers, batch_handlers = handler_tables(ctx)
    return ConsumerRunner(name=name or ctx.settings.service_name, session_factory=ctx.sessions,
                          inbox=ctx.tables.inbox, handlers=handlers, batch_handlers=batch_handlers,
                          producer=producer, max_attempts=ctx.settings.consumer_max_attempts,
                          sources=ctx.trusted_sources)
