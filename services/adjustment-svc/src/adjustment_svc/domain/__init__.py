"""Pure domain: no SQLAlchemy, FastAPI or aiokafka here."""
