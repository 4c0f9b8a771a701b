"""Tables of invoice-svc, all in its own schema."""

from mediabill_common.db import define_common_tables, make_metadata

SCHEMA = "invoice_svc"
metadata = make_metadata(SCHEMA)
common = define_common_tables(metadata)
