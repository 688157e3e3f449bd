"""The command line starts without the web UI and the PDF renderer: operators and the tests
run it many times, and importing Streamlit, fpdf and fontTools cost it over a second."""

import subprocess
import sys

import pytest

from portal import PROJECT_ROOT

HEAVY = ("streamlit", "fpdf", "fontTools")


@pytest.mark.parametrize(
    "module",
    [
        "portal.cli.main",
        "portal.navigation",  # the page specs; portal/ui.py builds the Streamlit menu
        "portal.certificates.font_files",  # the font check of `make fonts` and every start
    ],
)
def test_module_imports_neither_streamlit_nor_the_pdf_renderer(module):
    probe = f"import sys, {module}; print(*sorted({{m.split('.')[0] for m in sys.modules}}))"
    # A fresh interpreter in the checkout, so the modules are this tree's and none is cached.
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    loaded = set(result.stdout.split())
    assert not loaded & set(HEAVY), f"{module} imports {sorted(loaded & set(HEAVY))}"
