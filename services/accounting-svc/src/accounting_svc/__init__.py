"""accounting-svc: the revenue subledger, the period calendar and the month-end close (close.md)."""
