"""A minimal collections system: the downstream consumer of Mediabill's invoice contract, and the reference one.

It keeps an AR ledger per bill-to account from `InvoiceBalanceChanged` (the authority on what is owed), checked
against the published JSON Schemas in docs/schemas/, holds disputed amounts back from dunning using
`billing.disputes.v1`, and publishes `PaymentApplied` to `collections.payments.v1`. Teams copy it, so it does what
the services do with libs/common's parts rather than its own: decoding and dead letters (consumer.py), token
checks, roles and problem+json (app.py), and the event catalog's wire types for payments (payments.py).
"""
