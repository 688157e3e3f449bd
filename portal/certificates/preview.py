"""Sample certificates of each credit type, for checking wording before an offering starts."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from portal.certificates.facts import Issuer, certificate_data
from portal.certificates.font_files import UnprintableText, fonts_check
from portal.courses.content import Course, CourseFileError, course_get
from portal.errors import FieldErrors

DEFAULT_COURSE = "fostering-compassion-in-couples"
DEFAULT_OFFERING = "2023-05"
SAMPLE_NUMBER = "CE-SAMPLE"
SAMPLE_NAME = "Zoë Nguyễn-Ångström"
SAMPLE_LICENSES = {"APA": "", "BBS": "LCSW 12345 (CA)", "BRN": "RN 654321 (CA)"}


def certificate_preview(
    *,
    course: Course,
    credit_type_id: str,
    issuer: Issuer,
    name: str = SAMPLE_NAME,
    license: str | None = None,
    offering_id: str = DEFAULT_OFFERING,
    issued_on: date | None = None,
) -> bytes:
    """A sample certificate PDF from the course file (credit type matched ignoring case).

    Raises KeyError naming the credit type or offering when the course file has none.
    """
    credit_type = course.credit_type(credit_type_id)
    plan = next((o for o in course.offerings if o.id == offering_id), None)
    if plan is None:
        raise KeyError(offering_id)
    days = [s.date for s in plan.sessions]
    data = certificate_data(
        course=course,
        credit_type=credit_type,
        number=SAMPLE_NUMBER,
        participant_name=name,
        license=SAMPLE_LICENSES.get(credit_type.id, "") if license is None else license,
        days=days,
        instructional_minutes=sum(s.instructional_minutes for s in plan.sessions),
        issued_on=issued_on or max(days),
        issuer=issuer,
    )
    # The renderer (fpdf and fontTools, ~0.5 s to import) loads when a sample is drawn: the
    # command line names this module's defaults at every start.
    from portal.certificates.render import certificate_pdf

    return certificate_pdf(dataclasses.replace(data, sample=True), issuer.signature)


def preview_from_content(
    *,
    content_dir: Path,
    credit_type_id: str,
    issuer: Issuer,
    course_id: str = DEFAULT_COURSE,
    name: str = SAMPLE_NAME,
    license: str | None = None,
    offering_id: str = DEFAULT_OFFERING,
) -> bytes:
    """A sample certificate of a course in content/; unknown ids and names no font prints
    are field errors. Raises FontsMissing, saying what to install, without the fonts."""
    fonts_check()
    try:
        course = course_get(content_dir, course_id)
    except CourseFileError:
        raise FieldErrors({"course_id": f"No course {course_id!r} in the content."}) from None
    try:
        return certificate_preview(
            course=course,
            credit_type_id=credit_type_id,
            issuer=issuer,
            name=name,
            license=license,
            offering_id=offering_id,
        )
    except UnprintableText as error:
        raise FieldErrors({"name": str(error)}) from None
    except KeyError as missing:
        types = ", ".join(c.id for c in course.credit_types)
        offerings = ", ".join(o.id for o in course.offerings)
        raise FieldErrors(
            {
                "credit_type_id" if missing.args[0] == credit_type_id else "offering_id": (
                    f"{missing.args[0]!r} is not in the course file "
                    f"(credit types: {types}; offerings: {offerings})."
                )
            }
        ) from None
