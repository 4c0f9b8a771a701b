"""The usage ledger's rules: which delivery records can be billed, and what is at risk when one cannot."""
