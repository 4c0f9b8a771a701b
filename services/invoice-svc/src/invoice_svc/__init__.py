"""invoice-svc."""
