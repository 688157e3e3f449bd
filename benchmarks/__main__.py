"""Run every benchmark module (or those named on the command line)."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

import benchmarks


def main(names: list[str]) -> int:
    """Import and run each bench_* module in name order."""
    # The services read settings (the content folder) but need no production secrets.
    os.environ.setdefault("PORTAL_ENV", "test")
    modules = sorted(
        m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_")
    )
    for name in modules:
        if names and name not in names:
            continue
        print(f"# {name}", flush=True)
        importlib.import_module(f"benchmarks.{name}").run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
