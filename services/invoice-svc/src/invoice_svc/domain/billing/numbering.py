"""Rule 15: invoice numbers `INV-YYYY-NNNNNNNN`, gapless per year of the issue date."""

from __future__ import annotations

INVOICE_SERIES = "INV"


def invoice_number(year: int, sequence: int) -> str:
    """The invoice number for the `sequence`-th invoice issued in `year` (1-based)."""
    if sequence < 1 or sequence > 99_999_999:
        raise ValueError(f"invoice sequence {sequence} is outside 1..99999999")
    return f"{INVOICE_SERIES}-{year:04d}-{sequence:08d}"


def number_block(year: int, last_issued: int, count: int) -> list[str]:
    """The next `count` numbers after `last_issued` (the counter row's value); the counter becomes
    `last_issued + count` in the same transaction, so a rolled-back issue gives the whole block back."""
    return [invoice_number(year, last_issued + i) for i in range(1, count + 1)]


def parse_invoice_number(number: str) -> tuple[int, int]:
    """(year, sequence) of an invoice number."""
    series, year, sequence = number.split("-")
    if series != INVOICE_SERIES or len(year) != 4 or len(sequence) != 8:
        raise ValueError(f"{number!r} is not an invoice number INV-YYYY-NNNNNNNN")
    return int(year), int(sequence)
