"""Markdown is rendered without raw HTML."""

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
