"""Continuous billing assurance (oversight.md O3), pure: what an issued invoice was priced with (`inputs`), and the
drift between re-pricing it and what was issued for it (`drift`)."""
