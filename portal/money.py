"""Money as exact integer cents: parsing what admins type and showing amounts."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def money_parse(text: str) -> int | None:
    """Cents for '225', '$1,205.50' or '205.5'; None for anything else (or over 2 decimals)."""
    cleaned = text.strip().replace("$", "").replace(",", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        return None
    return int((amount * 100).to_integral_exact())


def money_format(cents: int) -> str:
    """'$1,205.50' for 120550 cents; negative amounts get a leading minus."""
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    return f"{sign}${dollars:,}.{rest:02d}"
