"""Benchmark of invoice-svc bill runs (preview and issue) on a seeded month of deliveries."""
