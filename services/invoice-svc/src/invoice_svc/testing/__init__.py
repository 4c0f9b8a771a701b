"""What invoice-svc's tests (and the suites that drive invoice-svc: tests/hostile, tests/security) build with:
event builders and a feed through the real runner (`events`), bill runs through the real API and executor
(`billing`), and in-memory fakes of the ports (`fakes`). Not imported by the service itself."""
