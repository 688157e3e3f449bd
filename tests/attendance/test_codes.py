from datetime import UTC, datetime, timedelta

from portal.attendance.codes import (
    ALPHABET,
    CODE_LENGTH,
    accepted_indexes,
    code_for,
    code_hash,
    code_matches,
    code_normalise,
    current_code,
)
from portal.models import CodeWindow

OPEN = datetime(2023, 5, 18, 16, 0, tzinfo=UTC)


def window(interval=300, grace=60, minutes=30):
    return CodeWindow(
        kind="in",
        secret="ab" * 32,
        interval_seconds=interval,
        grace_seconds=grace,
        opens_at=OPEN,
        closes_at=OPEN + timedelta(minutes=minutes),
    )


def test_codes_have_no_look_alike_characters():
    for bad in "0O1IL2Z5S8B":
        assert bad not in ALPHABET
    code = code_for("ab" * 32, 0)
    assert len(code) == CODE_LENGTH
    assert set(code) <= set(ALPHABET)


def test_every_process_derives_the_same_code_and_codes_rotate():
    assert code_for("ab" * 32, 3) == code_for("ab" * 32, 3)
    assert len({code_for("ab" * 32, i) for i in range(50)}) == 50
    assert code_for("cd" * 32, 3) != code_for("ab" * 32, 3)


def test_current_code_rotates_on_the_interval():
    w = window()
    first = current_code(w, OPEN + timedelta(seconds=10))
    second = current_code(w, OPEN + timedelta(seconds=301))
    assert first.index == 0 and second.index == 1
    assert first.code != second.code
    assert first.rotates_at == OPEN + timedelta(minutes=5)


def test_previous_code_counts_only_within_grace():
    w = window()
    old = code_for(w.secret, 0)
    assert code_matches(w, old, OPEN + timedelta(seconds=330))
    assert not code_matches(w, old, OPEN + timedelta(seconds=361))
    assert accepted_indexes(w, OPEN + timedelta(seconds=10)) == [0]


def test_typed_codes_are_normalised_and_hashed():
    w = window()
    code = code_for(w.secret, 0)
    typed = f" {code[:3].lower()}-{code[3:].lower()} "
    assert code_normalise(typed) == code
    assert code_matches(w, typed, OPEN)
    assert code_hash(typed) == code_hash(code)
    assert code not in code_hash(code)
