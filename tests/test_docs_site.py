"""The documentation site builds with every Sphinx warning an error (``make docs``).

Needs the docs extra (``pip install -e '.[docs]'``; ``make test`` installs it).
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Each has its API page (docs/api.rst), with a page per class and function it defines.
MODULES = [
    "bioam", "bioam.network", "bioam.recall", "bioam.reference", "bioam.pieces",
    "bioam.pieces.base", "bioam.pieces.step", "bioam.pieces.lif", "bioam.capacity",
    "bioam.compare", "bioam.training", "bioam.models", "bioam.datasets", "bioam.evaluation",
    "bioam.classify", "bioam.baselines", "bioam.krotov_hopfield", "bioam.hebbian",
    "bioam.hebbian.rules", "bioam.hebbian.capacity", "bioam.sweeps", "bioam.theory",
    "bioam.plotting", "bioam.io", "bioam.provenance", "bioam.progress", "bioam.validation",
    "bioam.paper.capacity", "bioam.paper.report",
]


@pytest.mark.slow  # about a minute on 2 idle cores (two under load): one full Sphinx build
def test_sphinx_build_is_clean_with_the_api_reference_and_the_gallery(tmp_path):
    """sphinx-build -W: the markdown pages, the API pages of every public module, and the
    example gallery, whose scripts run during the build."""
    out = tmp_path / "html"
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-q",
         str(ROOT / "docs"), str(out)],
        capture_output=True, text=True, timeout=1200, cwd=ROOT)
    warnings = [line for line in (build.stdout + build.stderr).splitlines()
                if "WARNING" in line or "ERROR" in line]
    assert build.returncode == 0, "\n".join(warnings) or build.stderr[-6000:]

    session = (out / "generated" / "bioam.recall.RecallSession.html").read_text()
    assert "Parameters" in session and "recall" in session
    index = (out / "py-modindex.html").read_text()
    for module in MODULES:
        page = "api.html" if module == "bioam" else f"generated/{module}.html"
        assert (out / page).exists() and f">{module}<" in index, module
    # a module that bioam's namespace shadows with a function is still documented as a module
    assert "bioam.recall.RecallSession.html" in (out / "generated/bioam.recall.html").read_text()
    for page in ("usage", "model", "engine", "constraints", "pieces", "hebbian", "sweeps",
                 "results", "reproduction"):
        assert (out / f"{page}.html").exists(), page
    gallery = (out / "auto_examples" / "example_user_network.html").read_text()
    assert "recalled s   [1 0 1 1 0]" in gallery  # the script ran, its output is on the page
    assert list((out / "_images").glob("sphx_glr_example_user_network_*.png"))
