"""Markdown is rendered without raw HTML."""

import pytest

from portal.courses.markdown_text import markdown_without_html


def test_tags_are_shown_not_rendered():
    text = 'Hi <img src=x onerror="alert(1)"> and <script>x()</script>'
    out = markdown_without_html(text)
    assert "<" not in out
    assert "&lt;img" in out and "&lt;script>" in out


def test_code_is_left_alone():
    text = "Use `a < b` here\n```\nif a < b:\n```\nthen <b>"
    assert markdown_without_html(text) == "Use `a < b` here\n```\nif a < b:\n```\nthen &lt;b>"


def test_plain_markdown_is_unchanged():
    text = "# Title\n\n> a quote\n\n- item **bold**"
    assert markdown_without_html(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "![pixel](https://tracker.example/p.gif?who=me)",
        "![pixel](//tracker.example/p.gif)",
        "![pixel](data:image/gif;base64,R0lGODlh)",
        "![pixel][ref]\n\n[ref]: https://tracker.example/p.gif",
        "![pixel\nsplit](https://tracker.example/p.gif)",
        "![pixel](&#104;ttps://tracker.example/p.gif)",
        "![pixel](https\\://tracker.example/p.gif)",
    ],
)
def test_remote_images_become_links_not_pictures(text):
    shown = markdown_without_html(text)
    assert "\\![pixel" in shown  # the '!' is escaped: a link to follow, nothing fetched on sight
    assert shown.count("![") == shown.count("\\![")


def test_local_material_images_still_show():
    text = "See ![chart](/media/chart.png) and `![code](https://x)`"
    assert markdown_without_html(text) == text


def test_iframes_never_render():
    assert "<iframe" not in markdown_without_html('<iframe src="https://tracker.example/">')
