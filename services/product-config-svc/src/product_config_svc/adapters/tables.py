"""Tables of product-config-svc, all in its own schema."""

from mediabill_common.db import define_common_tables, make_metadata

SCHEMA = "product_config_svc"
metadata = make_metadata(SCHEMA)
common = define_common_tables(metadata)
