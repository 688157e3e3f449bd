import os
import shutil
from pathlib import Path

import pytest

from portal import PROJECT_ROOT
from portal.courses import content
from portal.courses.content import CourseFileError, course_get, course_parse, practice_steps

WORKSHOP = PROJECT_ROOT / "content" / "fostering-compassion-in-couples"
ANNOUNCEMENT = PROJECT_ROOT.parent / "shared" / "reference" / "workshop-announcement.txt"


def test_the_workshop_has_its_five_objectives_word_for_word(course):
    assert len(course.objectives) == 5
    assert course.objectives[0] == (
        "Identify the three emotion regulation systems and how they present in relationships"
    )
    if ANNOUNCEMENT.exists():
        # The announcement has typographic spaces (U+00A0, U+202F); compare words.
        text = " ".join(ANNOUNCEMENT.read_text(encoding="utf-8").replace("\u00a0", " ").split())
        for objective in course.objectives:
            assert objective in text


def test_every_module_and_practice_has_text(course):
    assert len(course.modules) >= 5
    assert all(len(m.body.split()) > 300 for m in course.modules)
    kinds = [p.kind for p in course.practices]
    assert kinds.count("meditation") >= 2 and "gratitude" in kinds


def test_practice_steps_add_up_to_the_stated_minutes(course):
    for practice in course.practices:
        assert practice.steps, practice.id
        assert sum(s.seconds for s in practice.steps) == practice.minutes * 60


@pytest.mark.parametrize(
    ("credit_type", "units"), [("APA", 6.0), ("BBS", 6.0), ("BRN", 7.0), ("attendance", 6.0)]
)
def test_credit_is_derived_from_360_instructional_minutes(course, credit_type, units):
    assert course.credit_type(credit_type).units_for(360) == units


def test_brn_rounds_down_and_never_exceeds_the_announced_hours(course):
    brn = course.credit_type("BRN")
    assert brn.units_for(180) == 3.5  # 3.6 contact hours round down to the half hour
    assert brn.units_for(600) == 7.0


def test_credit_types_name_their_audience(course):
    assert course.credit_type("BBS").qualifies("lcsw", "CA")
    assert not course.credit_type("BBS").qualifies("lcsw", "NY")
    assert course.credit_type("BRN").qualifies("rn", "NY")
    assert not course.credit_type("APA").qualifies("rn", "CA")
    assert course.credit_type("ATTENDANCE").qualifies("other", None)
    assert course.credit_type("BRN").retention_statement.startswith(
        "This document must be retained"
    )


def test_the_real_offering_is_seeded_in_pacific_time(course):
    offering = course.offerings[0]
    assert offering.time_zone == "America/Los_Angeles"
    assert [s.date.isoformat() for s in offering.sessions] == ["2023-05-18", "2023-05-25"]
    assert str(offering.fee) == "225.00" and str(offering.early_fee) == "205.00"


def _broken_course(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "broken"
    folder.mkdir()
    for sub in ("modules", "practices"):
        (folder / sub).symlink_to(WORKSHOP / sub)
    text = (WORKSHOP / "course.toml").read_text(encoding="utf-8")
    assert old in text
    (folder / "course.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'time_zone = "America/Los_Angeles"',
            'time_zone = "Pacific/Atlantis"',
            "offerings.0.time_zone: Value error, unknown IANA time zone 'Pacific/Atlantis'",
        ),
        ("minutes_per_unit = 60", "minutes_per_unit = 0", "credit_types.0.minutes_per_unit"),
        ('title = "Fostering', 'titel = "Fostering', "titel: Extra inputs are not permitted"),
        ('fee = "225.00"', 'fee = "cheap"', "offerings.0.fee"),
        (
            'file = "modules/01-emotion-regulation-systems.md"',
            'file = "modules/missing.md"',
            "modules.0: file 'modules/missing.md' not found",
        ),
        (
            'start = "09:00"',
            'start = "13:00"',
            "offerings.0.sessions.0: Value error, start must be before end",
        ),
        ("objective = 1", "objective = 9", "names objective 9"),
        ("[presenter]", "[presenter\n", "not valid TOML"),
    ],
)
def test_a_broken_course_file_names_file_field_and_problem(tmp_path, old, new, message):
    folder = _broken_course(tmp_path, old, new)
    with pytest.raises(CourseFileError) as error:
        course_parse(folder)
    assert str(folder / "course.toml") in str(error.value)
    assert message in str(error.value)


def test_a_missing_course_file_is_reported(tmp_path):
    with pytest.raises(CourseFileError, match="file not found"):
        course_parse(tmp_path)


def test_a_markdown_file_outside_the_course_folder_is_refused(tmp_path):
    folder = _broken_course(
        tmp_path,
        'file = "modules/01-emotion-regulation-systems.md"',
        'file = "../../../etc/passwd"',
    )
    with pytest.raises(CourseFileError, match="not found"):
        course_parse(folder)


def test_practice_steps_parse_only_the_script_section():
    text = "Intro [5] not a step\n\n## Script\n\n[30] Breathe in.\n\n[45] Breathe\nout.\n\nNo step."
    steps = practice_steps(text)
    assert [(s.seconds, s.text) for s in steps] == [(30, "Breathe in."), (45, "Breathe out.")]


def test_a_course_is_parsed_once_per_version_of_its_files(tmp_path, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(content, "monotonic", lambda: clock[0])
    shutil.copytree(PROJECT_ROOT / "content", tmp_path / "content")
    course_id = "fostering-compassion-in-couples"
    first = course_get(tmp_path / "content", course_id)
    assert course_get(tmp_path / "content", course_id) is first  # cached while unchanged
    course_file = tmp_path / "content" / course_id / "course.toml"
    text = course_file.read_text(encoding="utf-8")
    course_file.write_text(text.replace(first.title, "Retitled course", 1), encoding="utf-8")
    later = os.stat(course_file).st_mtime_ns + 1_000_000_000
    os.utime(course_file, ns=(later, later))  # a clock tick apart, even on coarse filesystems
    clock[0] += content.RECHECK_SECONDS / 2
    assert course_get(tmp_path / "content", course_id) is first  # not looked at again yet
    clock[0] += content.RECHECK_SECONDS / 2
    assert course_get(tmp_path / "content", course_id).title == "Retitled course"
