"""A minimal collections system: the downstream consumer of Mediabill's invoice contract.

It deliberately uses none of Mediabill's code: only aiokafka, asyncpg, FastAPI and the published JSON Schemas in
docs/schemas/, as a collections team outside Mediabill would. It keeps an AR ledger per bill-to account from
`InvoiceBalanceChanged` (the authority on what is owed), holds disputed amounts back from dunning using
`billing.disputes.v1`, and publishes `PaymentApplied` to `collections.payments.v1`.
"""
