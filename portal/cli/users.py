"""Commands: `portal users create | set-password | unlock` (accounts for operators)."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import timedelta

from portal.accounts.people import person_create_invited
from portal.accounts.services import account_unlock, password_set_by_operator, user_create
from portal.db import session_factory, transaction
from portal.errors import FieldErrors
from portal.models import ROLES
from portal.runtime import runtime_start
from portal.settings import settings_load


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise FieldErrors(
            {"password": "no terminal to ask for it: pass --password-stdin or --invite"}
        )
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise FieldErrors({"password": "The two passwords differ."})
    return first


def _users_create(args: argparse.Namespace) -> int:
    settings = settings_load()
    engine = runtime_start(settings)
    try:
        with transaction(session_factory(engine)) as session:
            if args.invite:
                user = person_create_invited(
                    session=session,
                    actor_id=None,
                    username=args.username,
                    email=args.email,
                    full_name=args.name,
                    role=args.role,
                    base_url=settings.public_base_url,
                    valid_for=timedelta(days=settings.invite_link_days),
                )
            else:
                user = user_create(
                    session=session,
                    username=args.username,
                    email=args.email,
                    full_name=args.name,
                    password=_read_password(args),
                    role=args.role,
                )
            print(f"Created {user.role} {user.username} ({user.email}).")
    finally:
        engine.dispose()
    if args.invite:
        print(
            f"An invitation to {args.email} is in the outbox; `portal email send` delivers it "
            f"(the link works for {settings.invite_link_days} days)."
        )
    return 0


def _users_set_password(args: argparse.Namespace) -> int:
    engine = runtime_start(settings_load())
    try:
        with transaction(session_factory(engine)) as session:
            password_set_by_operator(
                session=session, username=args.username, password=_read_password(args)
            )
    finally:
        engine.dispose()
    print(f"New password set for {args.username}; the account is unlocked.")
    return 0


def _users_unlock(args: argparse.Namespace) -> int:
    engine = runtime_start(settings_load())
    try:
        with transaction(session_factory(engine)) as session:
            account_unlock(session=session, username=args.username)
    finally:
        engine.dispose()
    print(f"{args.username} may sign in again.")
    return 0


def _password_options(command: argparse.ArgumentParser) -> argparse._MutuallyExclusiveGroup:
    group = command.add_mutually_exclusive_group()
    group.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input (no prompt)",
    )
    return group


def add_users(commands: argparse._SubParsersAction) -> None:
    """Add `users create`, `users set-password` and `users unlock`."""
    users = commands.add_parser("users", help="accounts: create, set a password, unlock")
    actions = users.add_subparsers(required=True, metavar="ACTION")
    create = actions.add_parser(
        "create",
        help="create an account, e.g. the first admin",
        description="Create an account. Without --password-stdin or --invite, asks for the "
        "password twice on the terminal.",
    )
    create.add_argument("--role", choices=ROLES, required=True, help="the account's role")
    create.add_argument("--username", required=True, help="the name used to sign in")
    create.add_argument("--email", required=True, help="where invitations and notices go")
    create.add_argument("--name", required=True, help="full name as printed on certificates")
    _password_options(create).add_argument(
        "--invite",
        action="store_true",
        help="email a one-time link to choose the password instead of setting one",
    )
    create.set_defaults(run=_users_create)
    set_password = actions.add_parser(
        "set-password", help="set someone's password (also lifts a sign-in lock)"
    )
    set_password.add_argument("username", help="the account's username")
    _password_options(set_password)
    set_password.set_defaults(run=_users_set_password)
    unlock = actions.add_parser("unlock", help="lift a sign-in lock after failed attempts")
    unlock.add_argument("username", help="the account's username")
    unlock.set_defaults(run=_users_unlock)
