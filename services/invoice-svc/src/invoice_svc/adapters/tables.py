"""Tables of invoice-svc, all in its own schema."""

from mediabill_common.db import define_common_tables, make_metadata

SCHEMA = "invoice_svc"
metadata = make_metadata(SCHEMA)
common = define_common_tables(metadata)

# Imported for their side effect: their tables join `metadata`, so the metadata is the whole schema.
from invoice_svc.adapters import (  # noqa: E402,F401
    assurance_tables,
    billing_tables,
    close_tables,
    config_tables,
    ledger_tables,
)
