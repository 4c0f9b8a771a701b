"""adjustment-svc."""
