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


def test_usage_training_example_runs(tmp_path, monkeypatch):
    """The Python block of docs/usage.md's training section, on synthetic images."""
    import numpy as np

    import bioam.datasets

    text = (Path(__file__).resolve().parents[1] / "docs" / "usage.md").read_text()
    block = text.split("## Training and evaluating on images")[1].split("```python")[1]
    block = block.split("```")[0]
    rng = np.random.default_rng(0)
    fake = (rng.random((200, 784)) < 0.2).astype(np.float32)
    monkeypatch.setattr(bioam.datasets, "load_dataset",
                        lambda *args, **kwds: (fake, np.zeros(200, int), {}))
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(block, "usage.md", "exec"), namespace)
    assert namespace["model"].xi_back.shape == (50, 784)
    assert (tmp_path / "demo.npz").exists() and (tmp_path / "demo.ckpt.npz").exists()


def test_example_new_piece_registers_and_matches_the_reference():
    """Run in its own process: registering a piece must not leak into other tests."""
    import subprocess
    import sys

    script = DOCS / "example_new_piece.py"
    output = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            check=True, timeout=600).stdout
    line = [row for row in output.splitlines() if row.startswith("largest |h - reference|")][0]
    assert float(line.split(":")[1]) < 1e-9
    assert "recalled f(h): [[" in output


def test_example_new_constraint_matches_the_reference_in_both_formulations():
    """docs/example_new_constraint.py: a constraint added in one module, in its own process."""
    import subprocess
    import sys

    script = DOCS / "example_new_constraint.py"
    output = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            check=True, timeout=600).stdout
    for formulation in ("dense", "event"):
        line = [row for row in output.splitlines()
                if row.startswith(f"{formulation}: largest |h - reference|")][0]
        assert float(line.split(":")[2]) < 1e-9, line
    assert "recalled the targets: True" in output


def test_combination_table_in_constraints_doc_is_its_csv():
    """docs/constraints.md's combination table states what its committed CSV measured."""
    import csv

    text = (DOCS / "constraints.md").read_text()
    table = text.split("### Combinations, and spiking visible neurons")[1].split("\n* ")[0]
    rows = [line.split("|")[1:4] for line in table.splitlines()
            if line.startswith("| ") and not line.startswith("| variant")]
    with open(DOCS / "figures" / "compare_defaults" / "mnist_nh50_combinations.csv") as f:
        measured = list(csv.DictReader(f))
    assert len(rows) == len(measured) == 6
    for (label, same, mse), row in zip(rows, measured):
        assert f"{float(row['matches_rate_model']):.3f}" == same.strip(), label
        assert f"{float(row['reconstruction_mse']):.4f}" == mse.strip(), label
