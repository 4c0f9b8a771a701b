"""Use cases: one handler per command or event."""
