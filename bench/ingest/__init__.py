"""Delivery-ingestion benchmark: invoice-svc's batch handler against a raw COPY baseline on the same messages."""
