"""dispute-svc."""
