"""Markdown from instructors or participants, made safe to render: no raw HTML, and no
image from another site (a remote image is fetched by every reader's browser: a tracking
pixel). Iframes and other embeds need HTML, which never renders."""

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
    return "`".join(
        p if i % 2 else _images_local(p.replace("<", "&lt;")) for i, p in enumerate(parts)
    )


# A whole inline image on one line: ![alt](url "title").
_INLINE_IMAGE = re.compile(r"!\[[^\]\n]*\]\(\s*(?P<url>[^)\s]*)[^)\n]*\)")
# A path on this site in plain characters only: no scheme, no //host, and nothing a Markdown
# renderer would decode into one (entities like &#104;, backslash escapes).
_LOCAL_PATH = re.compile(r"^(?!//)[A-Za-z0-9_./-]+(\?[A-Za-z0-9_=&.-]*)?$")


def _local(url: str) -> bool:
    """Whether an image address is a path on this site (a material image), not another site."""
    return bool(_LOCAL_PATH.match(url))


def _images_local(text: str) -> str:
    """Every image that is not a complete inline image of a local path loses its '!': it
    shows as a link to follow, never as a picture fetched on sight (reference-style and
    multi-line images included)."""
    out, start = [], 0
    while (at := text.find("![", start)) != -1:
        whole = _INLINE_IMAGE.match(text, at)
        if whole and _local(whole["url"]):
            out.append(text[start : whole.end()])
            start = whole.end()
            continue
        out.append(text[start:at] + "\\![")
        start = at + 2
    return "".join(out) + text[start:]
