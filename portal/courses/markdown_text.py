"""Markdown from instructors or participants, made safe to render: no raw HTML."""

from __future__ import annotations

import re

_FENCE = re.compile(r"^\s*(```|~~~)")


def markdown_without_html(text: str) -> str:
    """Markdown whose '<' outside code can never open an HTML tag (shown as written)."""
    lines, in_fence = [], False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        lines.append(line if in_fence else _escape_outside_code(line))
    return "\n".join(lines)


def _escape_outside_code(line: str) -> str:
    # Odd-numbered parts of a split on backticks are inline code, which shows '<' as is.
    parts = line.split("`")
    return "`".join(p if i % 2 else p.replace("<", "&lt;") for i, p in enumerate(parts))
