"""The `portal` command line: run, check and look after a CE portal installation."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from sqlalchemy.exc import InterfaceError, OperationalError

from portal.cli.audit import add_audit
from portal.cli.certificates import add_certificates
from portal.cli.mail import add_mail
from portal.cli.operations import add_operations
from portal.cli.records import add_records
from portal.cli.users import add_users
from portal.courses.content import CourseFileError
from portal.errors import PortalError
from portal.logs import log_context, logger, logging_configure, request_id_new
from portal.models import utc_now
from portal.operations.checks import BEFORE_UPGRADE, SERVER, checks_run, database_problem
from portal.runtime import runtime_demo_seed, runtime_start
from portal.settings import SettingsError, settings_load

log = logger(__name__)


def _db_upgrade(args: argparse.Namespace) -> int:
    runtime_start(settings_load()).dispose()
    print("Database is at the latest revision.")
    return 0


def _demo_seed(args: argparse.Namespace) -> int:
    settings = settings_load()
    engine = runtime_start(settings)
    try:
        runtime_demo_seed(settings, engine, utc_now())
    finally:
        engine.dispose()
    print(
        "Demo data ready: demo-admin, demo-instructor, demo-participant "
        "(each password is the username)."
    )
    return 0


def _add_db(commands: argparse._SubParsersAction) -> None:
    db = commands.add_parser("db", help="database schema")
    actions = db.add_subparsers(required=True, metavar="ACTION")
    upgrade = actions.add_parser(
        "upgrade", help="migrate to the latest revision (run once per upgrade, then restart)"
    )
    upgrade.set_defaults(run=_db_upgrade, checks=BEFORE_UPGRADE)


def _add_demo(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser("demo", help="demo data (PORTAL_ENV=demo only)")
    actions = demo.add_subparsers(required=True, metavar="ACTION")
    seed = actions.add_parser("seed", help="create demo accounts and a demo offering live today")
    seed.set_defaults(run=_demo_seed)


# Each capability adds its commands with one function here.
REGISTRARS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_db,
    _add_demo,
    add_operations,
    add_users,
    add_mail,
    add_records,
    add_audit,
    add_certificates,
]


def parser_build() -> argparse.ArgumentParser:
    """The argument parser with every command."""
    parser = argparse.ArgumentParser(
        prog="portal",
        description=__doc__,
        epilog="Each command has --help. Settings come from PORTAL_* variables and the secrets "
        "file (.streamlit/secrets.toml or PORTAL_SECRETS_FILE).",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    for register in REGISTRARS:
        register(commands)
    return parser


def _one_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def _command_run(args: argparse.Namespace) -> int:
    scope = getattr(args, "checks", SERVER)
    if scope is not None and (problems := checks_run(scope)):
        for problem in problems:
            print(f"portal: {problem}", file=sys.stderr)
        return 2
    return args.run(args)


def main(argv: list[str] | None = None) -> int:
    """Run one command; errors print one line each and exit non-zero, never a traceback."""
    logging_configure()
    args = parser_build().parse_args(argv)
    request_id = request_id_new()
    with log_context(request_id=request_id):
        try:
            return _command_run(args)
        except SettingsError as error:
            for problem in error.problems:
                print(f"portal: {problem}", file=sys.stderr)
            return 2
        except (PortalError, CourseFileError, RuntimeError) as error:
            print(f"portal: {error}", file=sys.stderr)
            return 2
        except (OperationalError, InterfaceError) as error:
            url = settings_load().resolved_database_url()
            print(f"portal: {database_problem(error, url)}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            return 130
        except Exception as error:
            # The traceback goes to the log at DEBUG only: operators see one line.
            log.debug("unexpected error", exc_info=True)
            print(
                f"portal: unexpected error {type(error).__name__}: {_one_line(error)} "
                f"(error id {request_id}; PORTAL_LOG_LEVEL=DEBUG logs the details)",
                file=sys.stderr,
            )
            return 1


if __name__ == "__main__":
    sys.exit(main())
