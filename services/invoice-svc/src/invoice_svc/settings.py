"""invoice-svc settings (environment variables; names shared with the stack and docker-compose.yml)."""

from datetime import time
from decimal import Decimal

from pydantic import Field

from invoice_svc.app.documents import Seller
from mediabill_common.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "invoice-svc"
    port: int = 8002
    # Delivery arrives at high volume: bigger batches amortise the per-transaction round trips (see bench/ingest).
    consumer_batch_size: int = 2000
    # Let the broker gather up to 256 KiB (or 500 ms) per fetch: a steady stream is read in batches of several
    # hundred events rather than a few at a time, so there are fewer, larger transactions, each with its fixed
    # round trips (inbox claim, staging, commit) paid once. At 1000 deliveries/s, 64 KiB / 200 ms had cut the
    # consumer's CPU by about a third against aiokafka's defaults; 256 KiB / 500 ms took a sixth to a quarter
    # more off it (figures in bench/RESULTS.md). A lone event on a quiet topic waits <= 500 ms.
    consumer_fetch_min_bytes: int = 256 * 1024
    consumer_fetch_max_wait_ms: int = 500
    # Bill runs (executed by the worker processes; any of them picks up a run whose worker died).
    bill_run_chunk_size: int = Field(default=1000, ge=1)
    # Chunks read ahead of the one being priced: the database reads while the interpreter prices (more than one
    # keeps it busy while pricing and encoding alternate).
    bill_run_read_ahead: int = Field(default=2, ge=1)
    # Processes the worker prices bill-run chunks in (app/pricing_pool.py), each beside the worker's event loop;
    # 0 prices in a thread of the worker. A chunk crossing to a process and back costs about a third more CPU than
    # pricing it in the thread: on two cores shared with PostgreSQL that did not pay (bench/RESULTS.md).
    bill_run_pricing_processes: int = Field(default=0, ge=0)
    bill_run_stale_after_s: float = 60.0
    bill_run_poll_s: float = 1.0
    parked_sweep_interval_s: float = 10.0
    # A memo, payment or dispute event for an invoice still unknown after this long raises unknown_invoice. A grace
    # period, not a correctness need: the event stays parked and is applied whenever the invoice appears. Since
    # invoice-svc commits an invoice before anyone can learn its id, a waiting event nearly always names a wrong or
    # foreign invoice; an hour keeps what settles by itself out of the queue and still tells an analyst the same
    # working day, long before payment terms (days) make it matter (docs/operations.md, Configuration).
    unknown_invoice_after_s: float = Field(default=3600.0, ge=0)
    # The worker's daily schedule (entrypoints/daily_schedule.py): how often it looks for a due job.
    daily_schedule_poll_s: float = Field(default=30.0, gt=0)
    # Continuous billing assurance (oversight.md O3): a daily assurance run, at this UTC time of day, over the
    # current month and the months before it (1 = the current month only). Off unless enabled: `./mediabill up`,
    # docker-compose.yml and the Helm chart enable it; tests start it when they mean to.
    assurance_schedule_enabled: bool = False
    assurance_schedule_at: time = time(2, 0)
    assurance_schedule_months: int = Field(default=2, ge=1, le=24)
    # Billing-source cutovers (oversight.md O1): once a product's new billing source takes effect, a daily check at
    # this UTC time raises cutover_not_ready while the new source did not reconcile within the tolerance (% of the
    # quantity) with the previous one on each of the last N service days before the cutover date. product-config-svc's
    # readiness item uses its own settings of the same names (CUTOVER_READINESS_DAYS, CUTOVER_TOLERANCE_PCT).
    cutover_check_enabled: bool = True
    cutover_check_at: time = time(3, 0)
    cutover_readiness_days: int = Field(default=7, ge=1, le=62)
    cutover_tolerance_pct: Decimal = Field(default=Decimal(1), ge=0, le=100)
    # Invoices re-priced per transaction by an assurance run (its progress is recorded after each chunk).
    assurance_chunk_size: int = Field(default=200, ge=1)
    # POST /v1/price-simulations: at most this many deliveries per request (422 beyond: about 0.1 CPU-s to price,
    # over a month of daily deliveries for 150 line items), priced in this many threads off the event loop.
    price_simulation_max_deliveries: int = Field(default=5000, ge=1)
    price_simulation_workers: int = Field(default=2, ge=1)
    # A simulation at that cap is some 1.7 MiB of JSON (dispute evidence re-prices a whole invoice's product in
    # one): the other services' 1 MiB would refuse it before the cap could answer.
    http_max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1)
    # The seller printed on every invoice (kept on each invoice at issue, so a later change alters no issued
    # document) and where to pay.
    seller_name: str = "Mediabill Retail Media Ltd"
    seller_address: str = "1 Market Street, San Francisco CA 94105, USA"
    seller_tax_registration_id: str = "US EIN 94-3251178"
    remit_to: str = "Mediabill Retail Media Ltd, Accounts Receivable, 1 Market Street, San Francisco CA 94105, USA"
    remit_to_bank: str = "Bank: First Commerce Bank, ABA 121000358, Account 0001234567"

    def seller(self) -> Seller:
        return Seller(self.seller_name, self.seller_address, self.seller_tax_registration_id, self.remit_to,
                      self.remit_to_bank)
