"""Each configuration mistake is answered in one line naming the setting, never a traceback."""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys

import pytest

from portal import PROJECT_ROOT
from portal.certificates.facts import DEFAULT_SIGNATURE as SIGNATURE
from portal.cli import main as cli
from portal.settings import settings_load


def _run(capsys, *argv: str) -> tuple[int, list[str]]:
    settings_load.cache_clear()
    code = cli.main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err.splitlines()


def test_an_unreachable_database_is_one_line(app_env, monkeypatch, capsys):
    monkeypatch.setenv("PORTAL_DATABASE_URL", "postgresql://portal:hunter2-secret@db/portal")
    code, lines = _run(capsys, "users", "unlock", "office")
    assert code == 2
    assert len(lines) == 1
    assert lines[0].startswith("portal: PORTAL_DATABASE_URL: cannot use the database")
    assert "'db'" in lines[0] and "hunter2-secret" not in lines[0]


def test_a_wrong_env_value_is_one_line(app_env, monkeypatch, capsys):
    monkeypatch.setenv("PORTAL_ENV", "prod")
    code, lines = _run(capsys, "db", "upgrade")
    assert code == 2
    assert lines == [
        "portal: PORTAL_ENV is 'prod': Input should be 'demo', 'production' or 'test'."
    ]


def test_a_missing_signature_file_is_one_line(app_env, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("PORTAL_CE_ADMINISTRATOR_SIGNATURE", str(tmp_path / "nope.png"))
    code, lines = _run(capsys, "email", "send")
    assert code == 2
    assert len(lines) == 1 and "PORTAL_CE_ADMINISTRATOR_SIGNATURE: cannot read" in lines[0]


def test_a_signature_that_is_no_image_is_one_line(app_env, monkeypatch, capsys, tmp_path):
    not_image = tmp_path / "signature.png"
    not_image.write_text("not an image")
    monkeypatch.setenv("PORTAL_CE_ADMINISTRATOR_SIGNATURE", str(not_image))
    code, lines = _run(capsys, "certificates", "preview", "--credit-type", "APA", "--out", "x.pdf")
    assert code == 2
    assert len(lines) == 1 and "is not an image a certificate can print" in lines[0]


def test_an_unreachable_smtp_server_is_named_by_check(app_env, monkeypatch, capsys):
    monkeypatch.setenv("PORTAL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PORTAL_SMTP_PORT", "9")
    code, lines = _run(capsys, "check")
    assert code == 1
    assert len(lines) == 1 and lines[0].startswith("PORTAL_SMTP_HOST: cannot reach")
    # The server does not send mail: readiness ignores SMTP.
    assert _run(capsys, "check", "--ready")[0] == 0


def test_production_names_every_missing_setting(app_env, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("PORTAL_STORAGE_DIR", str(PROJECT_ROOT / "storage"))
    code, lines = _run(capsys, "check")
    assert code == 1
    named = [re.search(r"PORTAL_[A-Z_]+", line).group(0) for line in lines]
    assert named == [
        "PORTAL_PUBLIC_BASE_URL",
        "PORTAL_CE_ADMINISTRATOR_NAME",
        "PORTAL_CE_ADMINISTRATOR_TITLE",
        "PORTAL_CE_ADMINISTRATOR_SIGNATURE",
    ]
    monkeypatch.setenv("PORTAL_PUBLIC_BASE_URL", "https://ce.example.org")
    monkeypatch.setenv("PORTAL_CE_ADMINISTRATOR_NAME", "Dana Reyes, PhD")
    monkeypatch.setenv("PORTAL_CE_ADMINISTRATOR_TITLE", "Director of Continuing Education")
    signature = tmp_path / "signature.png"
    signature.write_bytes(SIGNATURE.read_bytes())
    monkeypatch.setenv("PORTAL_CE_ADMINISTRATOR_SIGNATURE", str(signature))
    code, lines = _run(capsys, "check")
    assert code == 1
    assert len(lines) == 1 and lines[0].startswith("PORTAL_STORAGE_DIR is inside the checkout")


def test_an_unexpected_error_is_one_line_with_an_error_id(app_env, monkeypatch, capsys):
    def boom(args):
        raise KeyError("surprise")

    monkeypatch.setattr(cli, "_command_run", boom)
    code, lines = _run(capsys, "db", "upgrade")
    assert code == 1
    assert len(lines) == 1 and "unexpected error KeyError" in lines[0] and "error id" in lines[0]


def test_mutually_exclusive_options_are_refused(app_env, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["records", "purge", "--dry-run", "--apply"])
    assert exit_.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["users", "create", "--role", "admin", "--username", "a", "--email", "a@b.c",
                  "--name", "A", "--password-stdin", "--invite"])  # fmt: skip


def _commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name), sub
                yield from _commands(sub, (*prefix, name))


def test_every_command_and_option_has_help():
    missing = []
    for path, parser in _commands(cli.parser_build()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                missing += [
                    f"{' '.join(path)} {c.dest}" for c in action._choices_actions if not c.help
                ]
            elif not action.help:
                missing.append(f"{' '.join(path)} {action.dest}")
    assert not missing


def test_users_create_without_a_terminal_says_how(app_env, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, lines = _run(capsys, "users", "create", "--role", "admin", "--username", "office",
                       "--email", "office@example.org", "--name", "CE Office")  # fmt: skip
    assert code == 2
    assert len(lines) == 1 and "--password-stdin or --invite" in lines[0]


@pytest.mark.slow
def test_two_upgrades_at_once_on_an_empty_database(empty_database_url, tmp_path):
    env = {
        **os.environ,
        "PORTAL_ENV": "test",
        "PORTAL_DATABASE_URL": empty_database_url,
        "PORTAL_SECRETS_FILE": str(tmp_path / "none.toml"),
        "PORTAL_STORAGE_DIR": str(tmp_path / "storage"),
    }
    command = [sys.executable, "-m", "portal.cli.main", "db", "upgrade"]
    runs = [
        subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(run.wait(timeout=240), run.stderr.read()) for run in runs]
    for run in runs:
        run.stderr.close()
    assert results == [(0, ""), (0, "")]
