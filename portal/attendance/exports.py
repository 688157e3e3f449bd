"""Renderers: the attendance roster as CSV or XLSX, and the check-in QR code. Data in, bytes out."""

from __future__ import annotations

import io
from datetime import datetime
from functools import lru_cache

import segno

from portal.attendance.roster import OfferingRoster
from portal.tabular import csv_bytes, xlsx_bytes
from portal.timefmt import zone


def _when(instant: datetime | None, time_zone: str) -> str:
    if instant is None:
        return ""
    local = instant.astimezone(zone(time_zone))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def roster_table(roster: OfferingRoster) -> list[list[str | int]]:
    """Header and rows: who attended, with license, in/out times per session, minutes, status."""
    tz = roster.offering.time_zone
    header: list[str | int] = [
        "Name", "Email", "Profession", "License number", "License state", "Enrollment",
    ]  # fmt: skip
    for s in roster.offering.sessions:
        header += [f"{s.title} in", f"{s.title} out", f"{s.title} minutes", f"{s.title} status"]
    header += ["Credited minutes", "Overall status"]
    table = [header]
    for r in roster.rows:
        line: list[str | int] = [
            r.name, r.email, r.professions, r.license_numbers, r.license_states,
            r.enrollment_status,
        ]  # fmt: skip
        for s in r.sessions:
            line += [_when(s.checked_in_at, tz), _when(s.checked_out_at, tz)]
            line += [s.minutes_attended, s.status]
        table.append([*line, r.credited_minutes, r.status])
    return table


def roster_csv(roster: OfferingRoster) -> bytes:
    """The roster as CSV."""
    header, *rows = roster_table(roster)
    return csv_bytes([str(h) for h in header], rows)


def roster_xlsx(roster: OfferingRoster) -> bytes:
    """The roster as an XLSX workbook with one sheet."""
    header, *rows = roster_table(roster)
    return xlsx_bytes([str(h) for h in header], rows, "Attendance")


@lru_cache(maxsize=64)
def qr_png(url: str, scale: int = 8) -> bytes:
    """A QR code of the URL as PNG bytes (the console redraws it every second; the code
    in the URL changes far less often)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()
