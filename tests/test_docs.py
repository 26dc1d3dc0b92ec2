"""The runnable examples of the documentation run and do what they say."""

import os
import runpy
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_example_user_network_recalls_and_plots(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(DOCS / "example_user_network.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "recalled s   [1 0 1 1 0]" in out
    assert os.path.getsize(tmp_path / "example_user_network.png") > 10_000
