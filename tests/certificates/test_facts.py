from datetime import date

import pytest

from portal.certificates.facts import dates_text, hours_text, license_text
from portal.certificates.numbers import (
    ALPHABET,
    number_is_well_formed,
    number_new,
    number_normalise,
)


@pytest.mark.parametrize(
    ("credit_type", "minutes", "hours"),
    [
        ("APA", 360, "6.0"),
        ("BBS", 360, "6.0"),
        ("BRN", 360, "7.0"),
        ("BRN", 330, "6.5"),
        ("ATTENDANCE", 345, "5.75"),
        ("APA", 400, "6.0"),
    ],
)
def test_hours_are_derived_from_minutes_and_the_rule(course, credit_type, minutes, hours):
    assert hours_text(course.credit_type(credit_type).units_for(minutes)) == hours


def test_dates_text():
    assert dates_text([date(2023, 5, 25), date(2023, 5, 18)]) == "May 18 and May 25, 2023"
    assert dates_text([date(2023, 5, 18)]) == "May 18, 2023"
    assert dates_text([date(2023, 5, 1), date(2023, 5, 8), date(2023, 5, 15)]) == (
        "May 1, May 8 and May 15, 2023"
    )
    assert dates_text([date(2023, 12, 30), date(2024, 1, 6)]) == (
        "December 30, 2023 and January 6, 2024"
    )


def test_license_text():
    assert license_text("rn", "654321", "CA") == "RN 654321 (CA)"
    assert license_text("lmft", "LMFT 100001", "CA") == "LMFT 100001 (CA)"
    assert license_text("rn", "RN 1", None) == "RN 1"


def test_numbers_are_random_well_formed_and_unambiguous():
    numbers = {number_new() for _ in range(2000)}
    assert len(numbers) == 2000
    assert all(number_is_well_formed(n) and len(n) == 15 for n in numbers)
    assert not set(ALPHABET) & set("01OIL258SZB")
    ordered = sorted(numbers)
    assert ordered != [number_new() for _ in range(3)]


def test_typed_numbers_are_normalised():
    assert number_normalise(" ce-7kq4 mnpx-3acd ") == "CE-7KQ4MNPX3ACD"
    assert not number_is_well_formed(number_normalise("CE-0000"))
