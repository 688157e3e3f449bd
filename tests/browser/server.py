"""A live portal server in a subprocess, on its own port and its own SQLite database."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from portal import PROJECT_ROOT
from portal.accounts.signin_cookie import cookie_token
from portal.db import database_upgrade, engine_create, session_factory, transaction
from portal.models import utc_now
from portal.settings import Settings

STARTUP_TIMEOUT = 60.0
AUTH_COOKIE = Settings.model_fields["cookie_name"].default
COOKIE_DAYS = Settings.model_fields["cookie_expiry_days"].default

Seed = Callable[[Session], object]


@dataclass
class LiveServer:
    """A running `streamlit run streamlit_app.py` and the database it uses."""

    url: str
    database_url: str
    cookie_key: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def auth_cookie(self, username: str) -> dict[str, object]:
        """A valid re-login cookie for the person, as the portal would write it."""
        token, expires_at = cookie_token(
            username, key=self.cookie_key, expiry_days=COOKIE_DAYS, now=utc_now()
        )
        return {
            "name": AUTH_COOKIE,
            "value": token,
            "url": self.url,
            "expires": expires_at.timestamp(),
            "sameSite": "Strict",
        }

    def log(self) -> str:
        """What the server printed so far (for failure messages)."""
        return self.log_path.read_text(errors="replace")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_prepare(path: Path, seed: Seed | None = None) -> str:
    """A fresh migrated SQLite file, with whatever `seed(session)` adds committed."""
    url = f"sqlite:///{path}"
    engine = engine_create(url)
    try:
        database_upgrade(engine)
        if seed is not None:
            with transaction(session_factory(engine)) as session:
                seed(session)
    finally:
        engine.dispose()  # the last connection checkpoints the WAL into the file
    return url


def _server_env(
    database_url: str, port: int, workdir: Path, cookie_key: str, mode: str
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PORTAL_ENV=mode,
        PORTAL_DATABASE_URL=database_url,
        PORTAL_COOKIE_KEY=cookie_key,
        PORTAL_SECRETS_FILE=str(workdir / "no-secrets.toml"),
        PORTAL_STORAGE_DIR=str(workdir / "storage"),
        PORTAL_PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
    )
    return env


def wait_healthy(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    """Wait until the Streamlit server at url answers its health check; fail if it exits."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The server exited early:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"The server did not answer in {STARTUP_TIMEOUT} s:\n{log_path.read_text()}")


def server_launch(
    database_url: str,
    workdir: Path,
    mode: str = "test",
    *,
    port: int | None = None,
    cookie_key: str | None = None,
    launcher: str = "streamlit",
) -> LiveServer:
    """Start the portal on a free port without waiting for it (see server_wait); mode is
    PORTAL_ENV ("demo" where a test signs in with the demo accounts); launcher is the module
    run as `python -m` (Streamlit's command line, or a test's wrapper of it)."""
    port, cookie_key = port or free_port(), cookie_key or secrets.token_urlsafe(48)
    log_path = workdir / f"server-{port}.log"
    command = [
        sys.executable,
        "-m",
        launcher,
        "run",
        "streamlit_app.py",
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
    ]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=_server_env(database_url, port, workdir, cookie_key, mode),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return LiveServer(f"http://127.0.0.1:{port}", database_url, cookie_key, process, log_path)


def server_restart(server: LiveServer, mode: str = "test") -> LiveServer:
    """Stop the server and start it again on the same port, database and cookie key."""
    server_stop(server)
    port = int(server.url.rsplit(":", 1)[1])
    return server_wait(
        server_launch(
            server.database_url,
            server.log_path.parent,
            mode,
            port=port,
            cookie_key=server.cookie_key,
        )
    )


def server_wait(server: LiveServer) -> LiveServer:
    """Wait until the server's health check answers; stop it if it never does."""
    try:
        wait_healthy(server.url, server.process, server.log_path)
    except BaseException:
        server_stop(server)
        raise
    return server


def server_start(
    database_url: str, workdir: Path, mode: str = "test", launcher: str = "streamlit"
) -> LiveServer:
    """Start the portal on a free port and wait until its health check answers."""
    return server_wait(server_launch(database_url, workdir, mode, launcher=launcher))


def servers_start(
    count: int, template: Path, workdir: Path, mode: str = "test"
) -> list[LiveServer]:
    """Start several servers at once, each on its own copy of a prepared SQLite file."""
    launched = []
    try:
        for n in range(count):
            (workdir / f"s{n}").mkdir()
            copy = shutil.copyfile(template, workdir / f"s{n}" / "portal.sqlite3")
            launched.append(server_launch(f"sqlite:///{copy}", workdir / f"s{n}", mode))
        return [server_wait(server) for server in launched]
    except BaseException:
        servers_stop(launched)
        raise


def servers_stop(servers: list[LiveServer]) -> None:
    """Stop several servers, asking them all to stop first."""
    for server in servers:
        if server.process.poll() is None:
            server.process.terminate()
    for server in servers:
        server_stop(server)


def server_stop(server: LiveServer) -> None:
    """Stop the server: politely first, then for sure."""
    if server.process.poll() is not None:
        return
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)
