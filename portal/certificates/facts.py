"""What a certificate says, built from the course file, the offering and the profile."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from portal.courses.content import Course, CreditType
from portal.settings import DEMO_SIGNATURE, Settings

DEFAULT_SIGNATURE = DEMO_SIGNATURE
VERIFY_PATH = "verify"
CERTIFICATES_PATH = "certificates"  # the participant page pages/certificates.py
PROFESSION_ABBREVIATIONS = {
    "psychologist": "Psychologist",
    "lmft": "LMFT",
    "lpcc": "LPCC",
    "lep": "LEP",
    "lcsw": "LCSW",
    "rn": "RN",
}


@dataclass(frozen=True)
class CertificateData:
    """Everything printed on one certificate, frozen with it when issued."""

    number: str
    credit_type_id: str
    heading: str
    participant_name: str
    license: str
    program_title: str
    presenter: str
    sponsor_name: str
    sponsor_address: str
    provider_number: str
    dates: str
    format: str
    hours: str
    unit: str
    credit_line: str
    approval_statement: str
    retention_statement: str
    issued_on: date
    administrator_name: str
    administrator_title: str
    verify_url: str
    supersedes: str = ""
    sample: bool = False
    demo: bool = False  # issued by a portal running on demo data: never a real certificate

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for storing beside the frozen PDF."""
        values = dataclasses.asdict(self)
        values["issued_on"] = self.issued_on.isoformat()
        return values

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> CertificateData:
        """The data a stored certificate was made from."""
        return cls(**{**values, "issued_on": date.fromisoformat(values["issued_on"])})


@dataclass(frozen=True)
class Issuer:
    """Who signs and where certificates are verified (from settings)."""

    content_dir: Path
    public_base_url: str
    administrator_name: str
    administrator_title: str
    signature: bytes
    demo: bool = False  # the portal runs on demo data: its certificates say DEMO

    def verify_url(self, number: str) -> str:
        """The public verification link of a certificate number."""
        return f"{self.public_base_url.rstrip('/')}/{VERIFY_PATH}?number={quote(number)}"

    def download_url(self) -> str:
        """The participant's certificates page, where certificates are downloaded."""
        return f"{self.public_base_url.rstrip('/')}/{CERTIFICATES_PATH}"


def issuer_from(settings: Settings) -> Issuer:
    """The issuer the settings describe; the demo signature when none is configured."""
    signature_path = settings.ce_administrator_signature or DEFAULT_SIGNATURE
    return Issuer(
        content_dir=settings.content_dir,
        public_base_url=settings.public_base_url,
        administrator_name=settings.ce_administrator_name,
        administrator_title=settings.ce_administrator_title,
        signature=Path(signature_path).read_bytes(),
        demo=settings.is_demo,
    )


def hours_text(units: float) -> str:
    """'6.0', '7.0', '5.75': one decimal, two when the rule gives quarter hours."""
    text = f"{units:.2f}"
    return text[:-1] if text.endswith("0") else text


def dates_text(days: Sequence[date]) -> str:
    """'May 18 and May 25, 2023'; the year is written once when all days share it."""
    days = sorted(set(days))
    if not days:
        return ""
    same_year = len({d.year for d in days}) == 1
    parts = [f"{d:%B} {d.day}" + ("" if same_year else f", {d.year}") for d in days]
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{joined}, {days[0].year}" if same_year else joined


def license_text(profession: str, number: str | None, state: str | None) -> str:
    """'RN 654321 (CA)'; the profession is not repeated when the number already has it."""
    number = (number or "").strip()
    abbreviation = PROFESSION_ABBREVIATIONS.get(profession, profession.upper())
    text = number if number.upper().startswith(abbreviation.upper()) else f"{abbreviation} {number}"
    return f"{text} ({state})" if state else text


def certificate_data(
    *,
    course: Course,
    credit_type: CreditType,
    number: str,
    participant_name: str,
    license: str,
    days: Sequence[date],
    instructional_minutes: int,
    issued_on: date,
    issuer: Issuer,
    supersedes: str = "",
) -> CertificateData:
    """Everything one certificate prints, with hours derived from instructional minutes."""
    hours = hours_text(credit_type.units_for(instructional_minutes))
    return CertificateData(
        number=number,
        credit_type_id=credit_type.id,
        heading="Certificate of Completion"
        if credit_type.makes_ce_claim
        else "Certificate of Attendance",
        participant_name=participant_name,
        license=license if credit_type.requires_license_number else "",
        program_title=course.title,
        presenter=course.presenter.display_name,
        sponsor_name=course.sponsor.name,
        sponsor_address=course.sponsor.address,
        provider_number=credit_type.provider_number,
        dates=dates_text(days),
        format=course.format,
        hours=hours,
        unit=credit_type.unit,
        credit_line=credit_type.credit_line.format(hours=hours),
        approval_statement=credit_type.approval_statement,
        retention_statement=credit_type.retention_statement,
        issued_on=issued_on,
        administrator_name=issuer.administrator_name,
        administrator_title=issuer.administrator_title,
        verify_url=issuer.verify_url(number),
        supersedes=supersedes,
        demo=issuer.demo,
    )
