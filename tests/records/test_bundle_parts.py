"""The records bundle's attendance, evaluation and certificate files, and the person record's
sections for them, built from real data of every capability."""

from __future__ import annotations

import csv
import hashlib
import io
import subprocess
import sys
import zipfile

from pypdf import PdfReader

from portal.records import bundle as records
from tests.factories import user_make
from tests.factories_evaluation import ended_offering
from tests.factories_records import offering_with_everything


def _bundle(session, offering, admin) -> zipfile.ZipFile:
    data = records.records_bundle(session=session, actor_id=admin.id, offering_id=offering.id)
    return zipfile.ZipFile(io.BytesIO(data))


def _csv(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def test_bundle_attendance_roster_and_change_history(session, app_env):
    offering, admin, _, _ = offering_with_everything(session)
    archive = _bundle(session, offering, admin)
    roster = {r["Name"]: r for r in _csv(archive, "attendance-roster.csv")}
    assert set(roster) == {"Ana López", "Ben Ortiz"}
    ana, ben = roster["Ana López"], roster["Ben Ortiz"]
    assert ana["License number"] == "LMFT 4242" and ben["License number"] == "ASW 777"
    assert ana["Session 1 in"] == "2023-05-18 09:00 PDT"
    assert ana["Session 2 status"] == "present" and ana["Overall status"] == "present"
    assert (ben["Session 1 status"], ben["Session 2 status"]) == ("present", "partial")
    assert ben["Session 2 minutes"] == "120" and ben["Credited minutes"] == "0"  # no credit
    [change] = _csv(archive, "attendance-changes.csv")
    assert (change["name"], change["session"], change["by"]) == (
        "Ben Ortiz",
        "Session 1",
        "Dana Admin",
    )
    assert change["action"] == "mark" and change["reason"] == "joined by phone"
    assert change["before"] == "{}" and '"source": "manual"' in change["after"]


def test_bundle_evaluation_summary_and_anonymised_responses(session, app_env):
    offering, admin, _, _ = offering_with_everything(session)
    archive = _bundle(session, offering, admin)
    reader = PdfReader(io.BytesIO(archive.read("evaluation-summary.pdf")))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Evaluation summary" in text and "Responses: 1 of 1 eligible participants" in text
    # One response: withheld from the bundle as from every export (the header only).
    assert _csv(archive, "evaluation-responses.csv") == []
    raw = archive.read("evaluation-responses.csv").decode("utf-8-sig")
    assert "Secret answer text." not in raw and raw.splitlines()[0].startswith("Response,")
    assert (
        "Ana López" not in raw and "@example.org" not in raw and "Name" not in raw.splitlines()[0]
    )


def test_bundle_certificate_register_and_current_pdfs(session, app_env):
    offering, admin, _, (first, second) = offering_with_everything(session)
    archive = _bundle(session, offering, admin)
    register = {r["number"]: r for r in _csv(archive, "certificates.csv")}
    assert set(register) == {first, second}
    assert (register[first]["status"], register[first]["superseded_by"]) == ("superseded", second)
    assert (register[second]["status"], register[second]["supersedes"]) == ("current", first)
    assert (
        register[second]["credit_type"] == "BBS"
        and register[second]["issue_reason"] == "name spelling"
    )
    assert register[first]["issued_at_utc"].startswith("2023-05-25T")
    [pdf_name] = [n for n in archive.namelist() if n.startswith("certificates/")]
    assert pdf_name.startswith(f"certificates/{second}_BBS_")
    assert hashlib.sha256(archive.read(pdf_name)).hexdigest() == register[second]["sha256"]
    manifest = archive.read("MANIFEST.txt").decode()
    assert f"{register[second]['sha256']}  {pdf_name}" in manifest


def test_bundle_of_an_offering_without_activity_has_empty_tables(session, app_env):
    offering = ended_offering(session)
    admin = user_make(session, role="admin")
    archive = _bundle(session, offering, admin)
    for name in ("attendance-roster.csv", "attendance-changes.csv", "certificates.csv"):
        assert _csv(archive, name) == [], name
    assert _csv(archive, "evaluation-responses.csv") == []
    assert not [n for n in archive.namelist() if n.startswith("certificates/")]


def test_person_record_has_attendance_evaluation_status_and_certificates(session, app_env):
    offering, admin, ana, (first, second) = offering_with_everything(session)
    sections = {s.title: s for s in records.person_record(session, admin.id, ana.id)}
    assert list(sections) == [
        "Account",
        "Enrollments and fees",
        "Attendance",
        "Evaluation",
        "Certificates",
        "Audit events",
    ]
    attendance = sections["Attendance"].rows
    assert [r["Session"] for r in attendance] == ["Session 1", "Session 2"]
    assert attendance[0]["In"] == "Thu, May 18, 2023, 9:00 AM PDT"
    assert {r["Status"] for r in attendance} == {"present"} and attendance[0]["Minutes"] == "180"
    [evaluation] = sections["Evaluation"].rows
    assert evaluation["Evaluation"] == "submitted" and evaluation["Offering"] == offering.label
    shown = " ".join(v for s in sections.values() for r in s.rows for v in r.values())
    assert "Secret answer text." not in shown
    certificates = {r["Number"]: r for r in sections["Certificates"].rows}
    assert certificates[first]["Status"] == "superseded"
    assert certificates[first]["Superseded by"] == second
    assert (
        certificates[second]["Status"] == "current" and certificates[second]["Supersedes"] == first
    )


def test_person_without_enrollments_gets_no_capability_sections(session, app_env):
    user, admin = user_make(session), user_make(session, role="admin")
    titles = [s.title for s in records.person_record(session, admin.id, user.id)]
    assert titles == ["Account", "Enrollments and fees", "Audit events"]


# One interpreter loads the libraries once, then imports each module in a forked child of
# its own that has imported nothing of the portal: a cycle among the portal's modules shows
# exactly as in a fresh interpreter.
IMPORT_EACH_ALONE = """
import importlib, os, sys, traceback
import fpdf, pydantic, sqlalchemy, sqlalchemy.orm
assert not any(name.split(".")[0] == "portal" for name in sys.modules)
for module in sys.argv[1:]:
    if os.fork() == 0:
        try:
            importlib.import_module(module)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    if os.wait()[1]:
        sys.exit(f"{module} does not import on its own")
"""


def test_each_part_module_imports_on_its_own_without_a_cycle():
    parts = (*records.BUNDLE_PARTS, *records.PERSON_SECTIONS)
    modules = sorted({fn.__module__ for fn in parts})
    subprocess.run([sys.executable, "-c", IMPORT_EACH_ALONE, *modules], check=True)
