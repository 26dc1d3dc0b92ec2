"""The runnable examples of the documentation run and do what they say."""

import os
import runpy
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"
EXAMPLES = DOCS / "examples"


def test_example_user_network_recalls_and_plots(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(EXAMPLES / "example_user_network.py"), run_name="__main__")
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

    script = EXAMPLES / "example_new_piece.py"
    output = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            check=True, timeout=600).stdout
    line = [row for row in output.splitlines() if row.startswith("largest |h - reference|")][0]
    assert float(line.split(":")[1]) < 1e-9
    assert "recalled f(h): [[" in output


def test_example_new_constraint_matches_the_reference_in_both_formulations():
    """docs/examples/example_new_constraint.py: a constraint added in one module, in its own
    process."""
    import subprocess
    import sys

    script = EXAMPLES / "example_new_constraint.py"
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


def test_hebbian_tables_are_their_csvs():
    """docs/hebbian.md's capacity tables state what the committed CSVs measured."""
    import csv

    text = (DOCS / "hebbian.md").read_text()

    def table(heading):
        block = text.split(heading)[1].split("\n### ")[0].split("\n## ")[0]
        return [[cell.strip() for cell in line.split("|")[1:-1]] for line in block.splitlines()
                if line.startswith("| ") and not line.startswith("| D ")]

    def measured(folder):
        with open(DOCS / "figures" / "hebbian" / folder / "capacity.csv") as f:
            return {(row["rule"], int(row["units"])): row for row in csv.DictReader(f)}

    random = measured("random")
    for d, hebb, theory, classical, _ in table("### Random +-1 patterns, every stored pattern"):
        row = random[("hebb", int(d))]
        assert (hebb, theory, classical) == (row["capacity"], row["theory"],
                                             f"{float(row['classical']):g}"), d
        assert row["brian2_agrees"] == "True"
    bit_error = measured("random_bit_error")
    for d, hebb, classical, theory in table("### Random +-1 patterns, at most 1.5% wrong bits"):
        row = bit_error[("hebb", int(d))]
        assert (hebb, classical, theory) == (row["capacity"], f"{float(row['classical']):g}",
                                             row["theory"]), d
    sparse = measured("sparse")
    rules = ["hebb", "covariance", "presynaptic_covariance", "willshaw", "bcpnn"]
    sparse_rows = table("### Sparse 0/1 patterns")
    assert len(sparse_rows) == 4
    for d, *values in sparse_rows:
        assert values == [f"{sparse[(rule, int(d))]['capacity']} / {sparse[(rule, int(d))]['theory']}"
                          for rule in rules], d
    with open(DOCS / "figures" / "hebbian" / "sparse" / "theory_check.csv") as f:
        check = {(row["rule"], int(row["units"])): row for row in csv.DictReader(f)}
    for (rule, d), row in check.items():  # the prediction the check was made at
        assert row["patterns"] == sparse[(rule, d)]["theory"], (rule, d)
        assert float(row["simulated_all"]) >= 0.6  # "60-84% pass in simulation"
    assert min(float(row["simulated_all"]) for row in check.values()) == 0.605
    assert max(float(row["simulated_all"]) for row in check.values()) == 0.84
    bcpnn = check[("bcpnn", 100)]
    assert (f"{float(bcpnn['theory_one']):.3f}", f"{float(bcpnn['simulated_one']):.3f}") == \
        ("0.988", "0.994")
    assert all(row["brian2_agrees"] == "True" for row in [*bit_error.values(), *sparse.values()])
    mnist = measured("mnist")
    from bioam.hebbian.theory import hebb_exact_retrieval_capacity

    for rule, stored, random_prediction in table("### MNIST images, a correlated set")[1:]:
        assert stored == mnist[(rule.replace(" ", "_"), 784)]["capacity"], rule
        assert int(random_prediction) == hebb_exact_retrieval_capacity(784)


def test_hebbian_comparison_table_is_its_csv():
    import csv

    text = (DOCS / "hebbian.md").read_text()
    section = text.split("## Against the threshold network of paper 001")[1].split("\n## ")[0]
    block = section.split("\n### ")[0]
    rows = [[cell.strip() for cell in line.split("|")[1:-1]] for line in block.splitlines()
            if line.startswith("| ") and not line.startswith("| D ")]
    with open(DOCS / "figures" / "hebbian" / "comparison" / "comparison.csv") as f:
        measured = {(row["network"], row["units"]): row for row in csv.DictReader(f)}
    assert len(rows) == 3
    for d, *cells in rows:
        expected = []
        for network in ("hebb", "threshold_eq17"):
            row = measured[(network, d)]
            expected += [row["capacity"], f"{1000 * float(row['capacity_per_synapse']):.2f}",
                         f"{float(row['capacity_per_neuron']):.2f}"]
        assert cells == expected, d
    mnist_block = section.split("\n### MNIST images")[1]
    mnist_rows = [[cell.strip() for cell in line.split("|")[1:-1]]
                  for line in mnist_block.splitlines()
                  if line.startswith("| ") and not line.startswith("| network")]
    with open(DOCS / "figures" / "hebbian" / "comparison_mnist" / "comparison.csv") as f:
        mnist = {row["network"]: row for row in csv.DictReader(f)}
    names = ["hebb", "covariance", "presynaptic_covariance", "threshold_eq17"]
    assert len(mnist_rows) == 4
    for name, (_, stored, per_synapse, per_neuron) in zip(names, mnist_rows):
        row = mnist[name]
        assert (stored, per_synapse, per_neuron) == (
            row["capacity"], f"{1000 * float(row['capacity_per_synapse']):.4f}",
            f"{float(row['capacity_per_neuron']):.4f}"), name


def test_beyond_the_paper_table_is_its_json_reports():
    """docs/results.md's table of the fine-tuned MNIST models states what the JSON reports say."""
    import json

    text = (DOCS / "results.md").read_text()
    block = text.split("### The paper's network beyond the paper")[1].split("\n### ")[0]
    rows = {cells[0]: cells[1:] for cells in (
        [cell.strip().strip("*") for cell in line.split("|")[1:-1]]
        for line in block.splitlines() if line.startswith("| ") and "---" not in line)}
    folder = DOCS / "figures" / "reproduction"

    def report(network, name):
        with open(folder / f"mnist_nh50_{network}" / name) as f:
            return json.load(f)

    def number(value):
        return f"{value:,}"

    networks = ["global", "per_neuron", "asymmetric"]
    converged = [report(network, "evaluate_train_200ms.json") for network in networks]
    default = [report(network, "evaluate_train.json") for network in networks]
    assert rows["distinct fixed points at convergence (200 ms)"][1:] == [
        number(r["unique_fixed_point_minima"]) for r in converged]
    assert rows["distinct final states at 200 ms"][1:] == [
        number(r["unique_minima"]) for r in converged]
    assert rows["distinct fixed points / final states at 50 ms (the engine's default for single recalls)"][1:] == [
        f"{number(r['unique_fixed_point_minima'])} / {number(r['unique_minima'])}"
        for r in default]
    assert rows["reconstruction MSE per pixel at the fixed point (200 ms)"][1:] == [
        f"{r['reconstruction_mse']:.4f}" for r in converged]
    import hashlib

    models = ["models/mnist_nh50_global.npz", "models/mnist_nh50_fp.npz",
              "models/mnist_nh50_asymmetric_fp.npz"]
    for r, model in zip(converged + default, models + models):
        assert r["n_memories"] == 60000 and r["model"] == model
        digest = hashlib.sha256((DOCS.parent / model).read_bytes()).hexdigest()
        assert r["provenance"]["inputs"][model] == digest   # made with the committed model
    assert all(r["duration"] == "200. ms" for r in converged)
    assert converged[0]["unique_fixed_point_minima"] > 57913      # the paper's count
    base = report("global", "evaluate_base_train_200ms.json")
    assert number(base["unique_fixed_point_minima"]) in block and \
        f"{base['reconstruction_mse']:.4f}" in block
    dt4 = report("global", "evaluate_train_200ms_dt4.json")
    assert dt4["dt"] == "6.25 us"
    assert rows["distinct fixed points at 200 ms, dt / 4 = 0.00625 ms"][1] == \
        number(dt4["unique_fixed_point_minima"])
    with open(folder / "mnist_nh50_global" / "training.json") as f:
        training = json.load(f)
    assert f"{training['total_seconds']:.0f} s" in block


def test_reproduction_doc_tables_are_what_their_committed_files_say(tmp_path):
    """Every number of docs/reproduction.md comes from a committed CSV/JSON with provenance."""
    import json

    from bioam.paper.report import document_tables, reproduction_tables, update_document

    folder = DOCS / "figures" / "paper"
    text = (DOCS / "reproduction.md").read_text()
    in_doc = document_tables(text)
    generated = reproduction_tables(folder)
    assert set(in_doc) == set(generated), "a table without its files, or files without a table"
    for name, table in in_doc.items():
        assert table == generated[name], f"table {name} differs from its files"
    # every figure's folder carries the provenance of what it holds
    for sub in sorted(path for path in folder.iterdir() if path.is_dir()):
        records = list(sub.glob("*provenance*.json")) + [
            path for path in sub.glob("*.json") if "provenance" in json.loads(path.read_text())]
        assert records, f"{sub.name} has no provenance record"
    # the updater rewrites a stale table and leaves the rest of the page alone
    stale = tmp_path / "page.md"
    stale.write_text(text.replace(in_doc["fig6"], "| stale |"))
    assert update_document(stale, folder) == ["fig6"]
    assert stale.read_text() == text


def test_both_models_compare_table_is_its_csvs():
    """docs/constraints.md's table of both committed models under every variant is their CSVs."""
    import csv

    text = (DOCS / "constraints.md").read_text()
    table = text.split("### Both committed models at compare's defaults")[1].split("\n* ")[0]
    rows = [[cell.strip().strip("*") for cell in line.split("|")[1:-1]]
            for line in table.splitlines() if line.startswith("| ") and "`mnist_nh50`" not in line]

    def measured(name):
        with open(DOCS / "figures" / "compare_defaults" / f"{name}.csv") as f:
            return list(csv.DictReader(f))

    symmetric, asymmetric = measured("mnist_nh50"), {
        row["variant"]: row for row in measured("mnist_nh50_asymmetric")}
    assert len(rows) == len(symmetric) == 8
    for (label, same, mse, same_asym, mse_asym), row in zip(rows, symmetric):
        assert f"{float(row['matches_rate_model']):.3f}" == same, label
        assert f"{float(row['reconstruction_mse']):.4f}" == mse, label
        other = asymmetric.get(row["variant"])
        if other is None:
            assert same_asym == mse_asym == "—", label
        else:
            assert f"{float(other['matches_rate_model']):.3f}" == same_asym, label
            assert f"{float(other['reconstruction_mse']):.4f}" == mse_asym, label


def test_variant_sweep_tables_are_their_csv():
    """docs/constraints.md's capacity-versus-constraint tables state what sweeps.csv measured."""
    import csv

    text = (DOCS / "constraints.md").read_text()
    section = text.split("### Capacity of random networks versus each constraint")[1]
    section = section.split("What it means")[0]
    assert "figures/variant_sweeps/sweeps.csv" in section
    lines = [line for line in section.splitlines() if line.startswith("| ")]
    tables = {lines[k].split("|")[1].strip(): (lines[k], lines[k + 1])
              for k in range(0, len(lines), 2)}
    with open(DOCS / "figures" / "variant_sweeps" / "sweeps.csv") as f:
        measured = list(csv.DictReader(f))
    for kind, label in (("rho", "rho"), ("spread", "threshold spread"), ("p", "p")):
        values, recalled = ([cell.strip() for cell in line.split("|")[2:-1]]
                            for line in tables[label])
        rows = [row for row in measured if row["kind"] == kind]
        assert values == [f"{float(row['value']):g}" for row in rows], kind
        assert recalled == [f"{float(row['fraction_recalled']):.3f}" for row in rows], kind
        assert all(int(row["n_patterns"]) == 256 and int(row["nv"]) == 800 for row in rows)


#: Sections whose tables hold settings and defaults, not measurements.
SETTINGS_SECTIONS = {
    ("constraints.md", "# Biological constraints"),
    ("constraints.md", "## Spiking hidden neurons"),
    ("pieces.md", "# Pieces: the parts the one builder assembles"),
    ("usage.md", "## Python API"),
}


def test_every_table_of_measurements_links_its_committed_data():
    """A docs section with a table of numbers links a committed CSV/JSON/text file, which exists."""
    import re

    number = re.compile(r"(?<![\w.])\d+\.\d+|\d{1,3}(?:,\d{3})+")
    link = re.compile(r"\]\(((?:\.\./)?(?:figures|models)/[\w./-]+\.(?:csv|json|txt|npz))\)")
    missing, unbacked = [], []
    for page in sorted(DOCS.glob("*.md")):
        for section in re.split(r"\n(?=#{1,4} )", page.read_text()):
            title = section.splitlines()[0].strip()
            for target in link.findall(section):
                if not (DOCS / target).exists():
                    missing.append((page.name, title, target))
            rows = [line for line in section.splitlines()
                    if line.startswith("|") and number.search(line)]
            if rows and (page.name, title) not in SETTINGS_SECTIONS and not link.findall(section):
                unbacked.append((page.name, title))
    assert not missing, f"links to files that are not committed: {missing}"
    assert not unbacked, f"tables of numbers without a committed data file: {unbacked}"
