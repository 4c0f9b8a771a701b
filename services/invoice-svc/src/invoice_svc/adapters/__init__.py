"""Adapters: SQLAlchemy tables and repositories, outbound clients."""
