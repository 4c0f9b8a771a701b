"""The web plumbing every service API shares: authentication, problem+json, idempotency, body limits, health,
pagination and the OpenAPI additions (a package, so that import-linter sees these modules too)."""
