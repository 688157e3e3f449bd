"""Certificate numbers: random, not sequential, easy to read aloud and type."""

from __future__ import annotations

import re
import secrets

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: letters people confuse when typing from paper.
ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
LENGTH = 12
PREFIX = "CE-"
_SHAPE = re.compile(rf"^{PREFIX}[{ALPHABET}]{{{LENGTH}}}$")


def number_new() -> str:
    """A fresh certificate number such as 'CE-7KQ4-…' (12 random characters, ~56 bits)."""
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def number_normalise(text: str) -> str:
    """What a person typed, as a number: upper case, without spaces, dashes or prefix."""
    cleaned = re.sub(r"[\s\-_.]", "", text.upper())
    cleaned = cleaned.removeprefix("CE")
    return PREFIX + cleaned


def number_is_well_formed(number: str) -> bool:
    """Whether a (normalised) number could have been issued here."""
    return bool(_SHAPE.match(number))
