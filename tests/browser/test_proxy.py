"""Two app processes behind deploy/'s nginx: every download works, whichever process a
browser's requests reach first (Streamlit keeps a session's media in one process)."""

from __future__ import annotations

import base64
import re
import secrets
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from portal import PROJECT_ROOT
from portal.certificates.services import certificate_claim
from portal.models import User, utc_now
from tests.browser.helpers import (
    IDLE,
    expand,
    main,
    open_page,
    settle,
    sign_in,
    wait_for_auth_cookie,
)
from tests.browser.server import (
    LiveServer,
    _server_env,
    database_prepare,
    free_port,
    server_stop,
    wait_healthy,
)
from tests.factories import PASSWORD, course_row, enrollment_make, offering_make, user_make
from tests.factories_certificates import issuer_make
from tests.factories_evaluation import ended_offering, submitted_make
from tests.factories_materials import GOOD, config_for, file_make

pytestmark = pytest.mark.browser

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DEPLOY = PROJECT_ROOT / "deploy" / "nginx"
PROCESSES = 2
BROWSERS = 2  # each with its own routing cookie, so both processes serve some
INSTRUCTOR, PARTICIPANT, GRADUATE = "ina.proxy", "pat.proxy", "zoe.proxy"


def _seed(storage: Path):
    def seed(session) -> None:
        course_row(session)
        instructor = user_make(session, role="instructor", username=INSTRUCTOR)
        start = utc_now() - timedelta(minutes=5)
        live = offering_make(
            session,
            sessions=[(start, start + timedelta(hours=3))],
            instructors=[instructor],
            label="Live offering",
        )
        enrollment_make(session, user_make(session, username=PARTICIPANT), live)
        file_make(session, config_for(storage.parent), instructor.id, name="slides.pdf")
        graduate = submitted_make(session, ended_offering(session, label="May 2023"))
        session.get(User, graduate.user_id).username = GRADUATE
        session.flush()
        certificate_claim(
            session=session,
            user_id=graduate.user_id,
            enrollment_id=graduate.id,
            credit_type_id="BBS",
            issuer=issuer_make(),
        )

    return seed


def _nginx_conf(folder: Path, port: int, apps: list[int]) -> Path:
    upstreams = "\n".join(f"        server 127.0.0.1:{app};" for app in apps)
    conf = folder / "nginx.conf"
    conf.write_text(
        f"""
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log {folder}/nginx-access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {DEPLOY}/ce-portal-routing.conf;
    upstream ce_portal {{
        hash $ce_portal_route consistent;
{upstreams}
    }}
    server {{
        listen 127.0.0.1:{port};
        include {DEPLOY}/ce-portal-locations.conf;
    }}
}}
"""
    )
    return conf


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Two app processes on one database and storage folder, nginx in front."""
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: `make nginx-deps` (Debian's nginx-light)")
    folder = tmp_path_factory.mktemp("proxied")
    storage = folder / "storage"
    database_url = database_prepare(folder / "portal.sqlite3", _seed(storage))
    cookie_key, proxy_port = secrets.token_urlsafe(48), free_port()
    url = f"http://127.0.0.1:{proxy_port}"
    apps: list[LiveServer] = []
    nginx = None
    try:
        for _ in range(PROCESSES):
            port = free_port()
            env = _server_env(database_url, port, folder, cookie_key, "test")
            env["PORTAL_PUBLIC_BASE_URL"] = url
            log_path = folder / f"app-{port}.log"
            command = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
                       "--server.address", "127.0.0.1", "--server.port", str(port)]  # fmt: skip
            with log_path.open("wb") as log:
                process = subprocess.Popen(
                    command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
                )
            apps.append(LiveServer(f"http://127.0.0.1:{port}", database_url, cookie_key,
                                   process, log_path))  # fmt: skip
        for app in apps:
            wait_healthy(app.url, app.process, app.log_path)
        conf = _nginx_conf(folder, proxy_port, [int(app.url.rsplit(":", 1)[1]) for app in apps])
        nginx = subprocess.Popen([NGINX, "-c", str(conf), "-g", "daemon off;"])
        wait_healthy(url, nginx, folder / "nginx-error.log")
        yield LiveServer(url, database_url, cookie_key, apps[0].process, apps[0].log_path)
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(timeout=10)
        for app in apps:
            server_stop(app)
    # Streamlit itself probes path-prefixed /_stcore URLs (404 by design); downloads and the
    # app's own requests must never fail.
    failed = [
        line
        for line in (folder / "nginx-access.log").read_text().splitlines()
        if re.search(r'" (404|5\d\d) ', line) and "/_stcore/" not in line
    ]
    assert not failed, failed


def _signed_in(
    new_context, server: LiveServer, username: str, path: str, *, form: bool = False
) -> Page:
    """A tab signed in through the sign-in form, or (quicker) by a re-login cookie."""
    context = new_context(server, accept_downloads=True)
    if not form:
        context.add_cookies([server.auth_cookie(username)])
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.violations = violations  # type: ignore[attr-defined]
    page.goto("/")
    try:
        # A fresh process's first run imports the whole portal: slow on a loaded machine.
        page.locator(IDLE).wait_for(state="attached", timeout=120_000)
    except Exception:
        page.screenshot(path="/tmp/proxy-fail.png")
        print("browser console:", violations)
        raise
    if form:
        sign_in(page, username, PASSWORD)
        wait_for_auth_cookie(page)
    open_page(page, path)
    return page


def _download(page: Page, button: str) -> bytes:
    try:
        with page.expect_download() as info:
            main(page).get_by_role("button", name=re.compile(button)).first.click()
    except Exception:
        page.screenshot(path="/tmp/proxy-download-fail.png")
        raise
    return info.value.path().read_bytes()


def test_security_headers_and_routing_cookie(proxied):
    with urllib.request.urlopen(proxied.url) as response:
        headers = response.headers
    assert "frame-ancestors 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["Set-Cookie"].startswith("ce_portal_route=")


def test_every_download_through_the_proxy(proxied, new_context, screenshot):
    for n in range(BROWSERS):
        page = _signed_in(new_context, proxied, PARTICIPANT, "/", form=True)
        assert _download(page, r"calendar \(\.ics\)").startswith(b"BEGIN:VCALENDAR")
        open_page(page, "/course")
        settle(page)
        expand(main(page), "Module 1:")  # the file's module
        assert _download(page, r"Download slides\.pdf") == GOOD["slides.pdf"]

        graduate = _signed_in(new_context, proxied, GRADUATE, "/certificates")
        assert _download(graduate, r"Download certificate \(PDF\)").startswith(b"%PDF")

        console = _signed_in(new_context, proxied, INSTRUCTOR, "/live_console")
        if n == 0:
            main(console).get_by_role("button", name="Open check-in").click()
        qr = main(console).get_by_role("img", name=re.compile("^QR code"))
        expect(qr).to_be_visible()
        # The QR travels inside the page (a data URI with its alt text), so no process's
        # media store is involved; it must still be a whole PNG.
        source = qr.get_attribute("src") or ""
        assert source.startswith("data:image/png;base64,")
        assert base64.b64decode(source.split(",", 1)[1]).startswith(b"\x89PNG")
        if n == 0:
            screenshot(console, "proxy-live-console")
        for each in (page, graduate, console):
            assert not each.violations, each.violations  # type: ignore[attr-defined]
