"""Entrypoints: the HTTP API, the Kafka consumer and the outbox relay."""
