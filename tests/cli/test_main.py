import io
import sys

import pytest
from sqlalchemy import select

from portal.cli import main as cli
from portal.models import Enrollment, LiveSession, Offering, User


@pytest.mark.parametrize(
    "command",
    [[], ["db"], ["demo"], ["users"], ["users", "create"], ["db", "upgrade"], ["demo", "seed"]],
)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main([*command, "--help"])
    assert exit_.value.code == 0
    assert "usage: portal" in capsys.readouterr().out


def test_demo_data_is_refused_outside_demo_mode(app_env, capsys):
    assert cli.main(["db", "upgrade"]) == 0
    assert cli.main(["demo", "seed"]) == 2
    assert "PORTAL_ENV=demo" in capsys.readouterr().err


def test_demo_seed_is_idempotent(app_env, monkeypatch, factory):
    monkeypatch.setenv("PORTAL_ENV", "demo")
    from portal.settings import settings_load

    settings_load.cache_clear()
    assert cli.main(["demo", "seed"]) == 0
    assert cli.main(["demo", "seed"]) == 0
    with factory() as session:
        usernames = set(session.scalars(select(User.username)))
        assert usernames == {"demo-admin", "demo-instructor", "demo-participant"}
        assert session.query(Offering).count() == 3
        assert session.query(LiveSession).count() == 6
        assert session.query(Enrollment).count() == 2


def test_users_create_makes_the_first_admin(app_env, factory, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long admin password\n"))
    code = cli.main(
        [
            "users",
            "create",
            "--role",
            "admin",
            "--username",
            "office",
            "--email",
            "office@example.org",
            "--name",
            "CE Office",
            "--password-stdin",
        ]
    )
    assert code == 0
    assert "Created admin office" in capsys.readouterr().out
    with factory() as session:
        assert session.scalar(select(User.role).where(User.username == "office")) == "admin"


def test_users_create_refuses_a_short_password_in_one_line(app_env, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    code = cli.main(
        [
            "users",
            "create",
            "--role",
            "admin",
            "--username",
            "office",
            "--email",
            "office@example.org",
            "--name",
            "CE Office",
            "--password-stdin",
        ]
    )
    assert code == 2
    assert "at least 10 characters" in capsys.readouterr().err


def test_production_without_a_cookie_key_refuses_to_start(app_env, monkeypatch, capsys):
    from portal.settings import settings_load

    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("PORTAL_COOKIE_KEY")
    settings_load.cache_clear()
    assert cli.main(["db", "upgrade"]) == 2
    lines = capsys.readouterr().err.splitlines()
    # One line per missing setting, each saying what to set.
    assert "Set PORTAL_COOKIE_KEY" in lines[0]
    assert all(line.removeprefix("portal: ").startswith("Set PORTAL_") for line in lines)
