"""Text a person typed, made safe to place inside Streamlit markdown."""

from __future__ import annotations

_SPECIALS = "\\`*_{}[]()#+-.!|<>~$:"
_ESCAPED = str.maketrans({c: f"\\{c}" for c in _SPECIALS})


def escape_markdown(text: str) -> str:
    """Text a person typed, safe to place inside Streamlit markdown (every markdown and
    HTML special character backslash-escaped)."""
    return text.translate(_ESCAPED)
