import io
import json
import logging

import pytest

from portal.logs import (
    log_context,
    log_settings_problem,
    logger,
    logging_configure,
)


@pytest.fixture
def stream():
    buffer = io.StringIO()
    yield buffer
    logging_configure({}, stream=io.StringIO())


def test_text_lines_carry_time_level_logger_request_and_user(stream):
    logging_configure({"PORTAL_LOG_LEVEL": "INFO"}, stream=stream)
    with log_context(request_id="r1", user_id=7):
        logger("portal.accounts").info("signed in", extra={"username": "ada"})
    logger("portal.accounts").debug("not shown at INFO")
    line = stream.getvalue().strip()
    assert "\n" not in line
    assert line.endswith("INFO portal.accounts request=r1 user=7 signed in username=ada")
    assert line[:4].isdigit() and "Z " in line


def test_json_format_has_the_same_fields(stream):
    logging_configure({"PORTAL_LOG_FORMAT": "json", "PORTAL_LOG_LEVEL": "debug"}, stream=stream)
    logger("mail").debug("sent", extra={"to_count": 2})
    entry = json.loads(stream.getvalue())
    assert entry["level"] == "DEBUG"
    assert entry["logger"] == "portal.mail"
    assert entry["request_id"] == "-" and entry["user_id"] == "-"
    assert entry["message"] == "sent" and entry["to_count"] == 2


def test_context_ends_with_its_block(stream):
    logging_configure({}, stream=stream)
    with log_context(request_id="outer"):
        with log_context(user_id=3):
            logger("x").warning("inner")
        logger("x").warning("outer")
    first, second = stream.getvalue().splitlines()
    assert "request=outer user=3" in first
    assert "request=outer user=-" in second


def test_portal_lines_still_reach_pytest_capture(caplog, stream):
    logging_configure({}, stream=stream)
    with caplog.at_level(logging.INFO, logger="portal"):
        logger("portal.x").info("hello")
    assert "hello" in caplog.text


@pytest.mark.parametrize(
    ("environ", "setting"),
    [
        ({"PORTAL_LOG_FORMAT": "xml"}, "PORTAL_LOG_FORMAT"),
        ({"PORTAL_LOG_LEVEL": "loud"}, "PORTAL_LOG_LEVEL"),
    ],
)
def test_wrong_log_settings_are_named(environ, setting):
    assert setting in log_settings_problem(environ)
    assert log_settings_problem({}) is None
