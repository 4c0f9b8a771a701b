"""product-config-svc."""
