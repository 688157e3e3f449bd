"""The portal's processes as production runs them, an nginx in front of several, and their cost."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from portal import PROJECT_ROOT

STREAMLIT = Path(sys.executable).parent / "streamlit"
BARE_PAGE = Path(__file__).with_name("bare_page.py")
NGINX_TEMPLATE = Path(__file__).with_name("nginx.conf")
_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Process:
    """A started server: its port, pid and the CPU it had used when the run began."""

    port: int
    popen: subprocess.Popen[bytes]
    cpu_at_start: float = 0.0
    rss_peak_mib: float = 0.0

    @property
    def url(self) -> str:
        """Where a browser reaches it."""
        return f"http://127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        """User plus system CPU the process has used so far."""
        fields = Path(f"/proc/{self.popen.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS

    def rss_mib(self) -> float:
        """Resident memory now; the peak seen is kept."""
        for line in Path(f"/proc/{self.popen.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
                self.rss_peak_mib = max(self.rss_peak_mib, rss)
                return rss
        return 0.0


def _wait_healthy(url: str, popen: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if popen.poll() is not None:
            raise RuntimeError(f"{url} exited with {popen.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not become healthy in {timeout} s")


@contextmanager
def streamlit_server(script: Path, env: dict[str, str], log: Path) -> Iterator[Process]:
    """`streamlit run` with the repository's .streamlit/config.toml, on 127.0.0.1."""
    port = free_port()
    command = [
        str(STREAMLIT), "run", str(script), "--server.port", str(port),
        "--server.address", "127.0.0.1", "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with log.open("wb") as out:
        popen = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env={**os.environ, **env}, stdout=out, stderr=out
        )
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", popen)
        yield Process(port, popen)
    finally:
        popen.terminate()
        try:
            popen.wait(10)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait()


@contextmanager
def nginx(upstreams: list[Process], folder: Path) -> Iterator[str]:
    """nginx on a free port proxying HTTP and the websocket to the app processes."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise RuntimeError("nginx is not installed (make load installs Debian's nginx-light)")
    port = free_port()
    servers = "\n".join(f"        server 127.0.0.1:{p.port};" for p in upstreams)
    config = NGINX_TEMPLATE.read_text().replace("@PORT@", str(port))
    config = config.replace("@UPSTREAMS@", servers).replace("@TEMP@", str(folder))
    conf = folder / "nginx.conf"
    conf.write_text(config)
    popen = subprocess.Popen(
        [binary, "-c", str(conf), "-p", str(folder), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=(folder / "nginx.stderr").open("wb"),
    )
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", popen)
        yield f"http://127.0.0.1:{port}"
    finally:
        popen.terminate()
        popen.wait(10)


@dataclass
class Portal:
    """The app processes, the URL browsers use, and a bare one-line page for comparison."""

    processes: list[Process]
    url: str
    bare: Process


@contextmanager
def portal(processes: int, env: dict[str, str]) -> Iterator[Portal]:
    """Start the app processes (and nginx when there are several) and the bare page."""
    with ExitStack() as stack:
        # Kept after the run: the app processes' logs are there when something failed.
        folder = Path(tempfile.mkdtemp(prefix="portal-load-"))
        print(f"# app logs in {folder}", flush=True)
        apps = [
            stack.enter_context(
                streamlit_server(PROJECT_ROOT / "streamlit_app.py", env, folder / f"app{i}.log")
            )
            for i in range(processes)
        ]
        bare = stack.enter_context(streamlit_server(BARE_PAGE, {}, folder / "bare.log"))
        url = stack.enter_context(nginx(apps, folder)) if processes > 1 else apps[0].url
        yield Portal(apps, url, bare)
