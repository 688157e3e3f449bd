"""The professions participants register with, and which of them are licensed."""

from __future__ import annotations

PROFESSIONS: dict[str, str] = {
    "psychologist": "Psychologist",
    "lmft": "Marriage and family therapist (LMFT)",
    "lpcc": "Professional clinical counselor (LPCC)",
    "lep": "Educational psychologist (LEP)",
    "lcsw": "Clinical social worker (LCSW)",
    "rn": "Registered nurse (RN)",
    "other": "Other",
}

LICENSED = frozenset(PROFESSIONS) - {"other"}

US_STATES = tuple(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV "
    "NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI".split()
)


def profession_label(profession: str) -> str:
    """The label shown for a profession code."""
    return PROFESSIONS.get(profession, profession)
