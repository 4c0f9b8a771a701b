"""Month-end close as invoice-svc sees it (close.md C9-C12), as pure functions over what the repositories read.

- `billing_status`: C10's "billing is complete for the period".
- `unbilled`: C9's unbilled snapshot rows from priced drafts (gross, discount and commission without tax).
- `variance`: booked vs delivered vs billed per contract line.
"""
