"""Course loader: a course folder in content/ becomes a validated Course object."""

from __future__ import annotations

import math
import os
import re
import tomllib
from datetime import date, time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from time import monotonic
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from portal.courses.content_evaluation import EvaluationSettings

COURSE_FILE = "course.toml"


class CourseFileError(ValueError):
    """A course file is missing or invalid; the message names file, field and problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Presenter(_Strict):
    name: str = Field(min_length=1)
    credentials: str = ""
    bio: str = ""

    @property
    def display_name(self) -> str:
        """Name with credentials, as printed on certificates."""
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


class Sponsor(_Strict):
    name: str = Field(min_length=1)
    address: str = Field(min_length=1)


class Module(_Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str = Field(min_length=1)
    objective: int = Field(ge=1)
    file: str
    body: str = ""


class PracticeStep(_Strict):
    seconds: int = Field(gt=0)
    text: str


class Practice(_Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    kind: Literal["meditation", "gratitude"]
    title: str = Field(min_length=1)
    minutes: int = Field(gt=0)
    file: str
    body: str = ""
    steps: tuple[PracticeStep, ...] = ()


class CreditType(_Strict):
    id: str = Field(pattern=r"^[A-Z0-9_]+$")
    name: str
    audience: str
    professions: tuple[str, ...] = Field(min_length=1)
    states: tuple[str, ...] = ()
    unit: str
    minutes_per_unit: int = Field(gt=0)
    round_down_to: float = Field(gt=0)
    max_units: float | None = None
    full_attendance_required: bool = True
    # Minutes a person may miss of each session in total (late arrival, early leave and gaps
    # in between together) and still have it count; more means no credit for this type.
    max_missed_minutes_per_session: int = Field(ge=0)
    requires_license_number: bool = False
    provider_number: str = ""
    credit_line: str
    approval_statement: str
    retention_statement: str = ""

    @property
    def makes_ce_claim(self) -> bool:
        """False for the certificate of attendance, which any profession may receive."""
        return "*" not in self.professions

    def units_for(self, instructional_minutes: int) -> float:
        """Credit derived from instructional minutes: per unit, rounded down, capped."""
        raw = instructional_minutes / self.minutes_per_unit
        units = math.floor(raw / self.round_down_to + 1e-9) * self.round_down_to
        return min(units, self.max_units) if self.max_units is not None else units

    def qualifies(self, profession: str, state: str | None) -> bool:
        """Whether a license of this profession and state is this credit type's audience."""
        if not self.makes_ce_claim:
            return True
        return profession in self.professions and (not self.states or state in self.states)


class Contact(_Strict):
    name: str = Field(min_length=1)
    # Plain addresses only: the email is placed in a mailto: link.
    email: str = Field(pattern=r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
    phone: str = ""


class PaymentInfo(_Strict):
    """How to pay an offering's fee, and whom to ask about money."""

    instructions: str = Field(min_length=1)
    contact: Contact


class SessionPlan(_Strict):
    title: str
    date: date
    start: time
    end: time
    instructional_minutes: int = Field(gt=0)

    @model_validator(mode="after")
    def _start_before_end(self) -> SessionPlan:
        if self.start >= self.end:
            raise ValueError("start must be before end")
        return self


class OfferingPlan(_Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    label: str
    time_zone: str
    fee: Decimal = Field(ge=0, decimal_places=2)
    early_fee: Decimal = Field(ge=0, decimal_places=2)
    early_deadline: date | None = None
    cancellation_deadline: date | None = None
    deposit: Decimal = Field(default=Decimal("0"), ge=0, decimal_places=2)
    enrollment_closes: date | None = None
    evaluation_deadline: date | None = None
    capacity: int | None = Field(default=None, gt=0)
    late_tolerance_minutes: int = Field(default=15, ge=0)
    early_leave_tolerance_minutes: int = Field(default=15, ge=0)
    # The course's payment instructions unless this offering has its own.
    payment: PaymentInfo | None = None
    sessions: tuple[SessionPlan, ...] = Field(min_length=1)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value


class Course(_Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str = Field(min_length=1)
    format: str
    audience: str
    instructional_level: str
    summary: str
    description: str = ""
    objectives: tuple[str, ...] = Field(min_length=1)
    record_retention_years: int = Field(default=5, ge=4)
    presenter: Presenter
    sponsor: Sponsor
    modules: tuple[Module, ...] = ()
    practices: tuple[Practice, ...] = ()
    credit_types: tuple[CreditType, ...] = Field(min_length=1)
    offerings: tuple[OfferingPlan, ...] = ()
    payment: PaymentInfo | None = None
    evaluation: EvaluationSettings = EvaluationSettings()

    @model_validator(mode="after")
    def _objectives_exist(self) -> Course:
        for module in self.modules:
            if module.objective > len(self.objectives):
                raise ValueError(
                    f"module {module.id!r} names objective {module.objective}, "
                    f"but the course has {len(self.objectives)}"
                )
        for question in self.evaluation.questions:
            if question.objective is not None and question.objective > len(self.objectives):
                raise ValueError(
                    f"evaluation question {question.id!r} names objective "
                    f"{question.objective}, but the course has {len(self.objectives)}"
                )
        return self

    def credit_type(self, credit_type_id: str) -> CreditType:
        """The credit type with this id, matched case-insensitively."""
        for credit_type in self.credit_types:
            if credit_type.id.lower() == credit_type_id.lower():
                return credit_type
        raise KeyError(credit_type_id)

    def payment_for(self, offering_id: str) -> PaymentInfo | None:
        """How to pay for one offering: its own instructions, else the course's."""
        plan = next((o for o in self.offerings if o.id == offering_id), None)
        return (plan.payment if plan else None) or self.payment


_STEP = re.compile(r"^\[(\d+)\]\s*(.+)$", re.DOTALL)


def practice_steps(markdown: str) -> tuple[PracticeStep, ...]:
    """Timed steps from a practice script: paragraphs after '## Script' starting '[secs]'."""
    _, _, script = markdown.partition("## Script")
    paragraphs = (p.strip() for p in script.split("\n\n"))
    matches = (_STEP.match(p) for p in paragraphs)
    return tuple(PracticeStep(seconds=int(m[1]), text=" ".join(m[2].split())) for m in matches if m)


def _field_path(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location) or "(top level)"


def _read_markdown(folder: Path, relative: str, course_file: Path, field: str) -> str:
    path = (folder / relative).resolve()
    if folder.resolve() not in path.parents or not path.is_file():
        raise CourseFileError(f"{course_file}: {field}: file {relative!r} not found in {folder}")
    return path.read_text(encoding="utf-8")


def course_parse(folder: Path) -> Course:
    """Read and validate content/<course>/course.toml with its markdown files."""
    course_file = folder / COURSE_FILE
    try:
        raw = tomllib.loads(course_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CourseFileError(f"{course_file}: file not found") from None
    except tomllib.TOMLDecodeError as error:
        raise CourseFileError(f"{course_file}: not valid TOML: {error}") from None
    try:
        course = Course.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(f"{_field_path(e['loc'])}: {e['msg']}" for e in error.errors())
        raise CourseFileError(f"{course_file}: {problems}") from None
    modules = tuple(
        m.model_copy(update={"body": _read_markdown(folder, m.file, course_file, f"modules.{i}")})
        for i, m in enumerate(course.modules)
    )
    practices = []
    for i, practice in enumerate(course.practices):
        body = _read_markdown(folder, practice.file, course_file, f"practices.{i}")
        practices.append(practice.model_copy(update={"body": body, "steps": practice_steps(body)}))
    return course.model_copy(update={"modules": modules, "practices": tuple(practices)})


def courses_load(content_dir: Path) -> dict[str, Course]:
    """Every course under content/, by id."""
    folders = sorted(p.parent for p in content_dir.glob(f"*/{COURSE_FILE}"))
    return {course.id: course for course in map(course_parse, folders)}


def _content_version(folder: Path) -> int:
    """The latest modification time of the course's files: an edit makes a new version."""
    latest, pending = 0, [folder]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.is_dir():
                    pending.append(Path(entry.path))
                else:
                    latest = max(latest, entry.stat().st_mtime_ns)
    return latest


@lru_cache(maxsize=16)
def _course_parsed(folder: Path, version: int) -> Course:
    return course_parse(folder)


# Pages ask for the course several times per run; walking its folder costs about a
# millisecond, so the files are looked at again only this often (an edit shows within it).
RECHECK_SECONDS = 2.0
_checked: dict[Path, tuple[float, int]] = {}


def _version_now(folder: Path) -> int:
    now = monotonic()
    checked = _checked.get(folder)
    if checked is None or now - checked[0] >= RECHECK_SECONDS:
        checked = _checked[folder] = (now, _content_version(folder))
    return checked[1]


def course_get(content_dir: Path, course_id: str) -> Course:
    """One course, parsed once per version of its files (pages ask for it on every run)."""
    folder = content_dir / course_id
    try:
        version = _version_now(folder)
    except FileNotFoundError:
        raise CourseFileError(f"{folder / COURSE_FILE}: file not found") from None
    return _course_parsed(folder, version)
