"""Rule 15: memo numbers CM-YYYY-NNNNNNNN / DM-YYYY-NNNNNNNN, gapless per series and year."""

from __future__ import annotations

SERIES = {"credit": "CM", "debit": "DM"}


def memo_series(kind: str) -> str:
    """The number series of a memo kind ("credit" -> "CM", "debit" -> "DM")."""
    return SERIES[kind]


def format_memo_number(kind: str, year: int, sequence: int) -> str:
    """E.g. format_memo_number("credit", 2025, 7) == "CM-2025-00000007"."""
    if not 1 <= sequence <= 99_999_999:
        raise ValueError(f"memo sequence {sequence} is outside 1..99999999")
    return f"{memo_series(kind)}-{year:04d}-{sequence:08d}"
