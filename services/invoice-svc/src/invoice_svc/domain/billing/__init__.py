"""Billing rules around the pricing engine, as pure functions (no I/O, no ORM, no web).

- `grouping`: rule 2's invoice groups (bill-to, contract or self-serve advertiser, period) and chunking.
- `numbering`: rule 15's `INV-YYYY-NNNNNNNN` numbers, handed out as a gapless block per issuing transaction.
- `balance`: rules 12, 17 and 20 -- an invoice's balance, status and disputed amount as a fold over the set of
  memos, payments and dispute events it received, so the result never depends on their arrival order; and the
  void check of rule 12.
- `kpis`: billing accuracy.
"""
