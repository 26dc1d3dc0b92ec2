"""
The tables of docs/reproduction.md, made from the files the reproduction wrote.

Every number in the reproduction document is generated here from a committed
CSV or JSON file (written with its provenance by ``experiments/reproduce.py``),
never typed by hand: `reproduction_tables` gives each table as markdown,
`update_document` writes them between the markers
``<!-- table:NAME -->`` and ``<!-- end:NAME -->`` of the document, and the test
suite fails when a table in the document differs from what its files say.

Examples
--------
>>> print(_markdown(["a", "b"], [[1, "x"]]))
| a | b |
|---|---|
| 1 | x |
"""

import csv
import json
import os
import re

from ..io import _write_atomic

__all__ = ["reproduction_tables", "update_document", "PAPER"]

#: What the paper reports, for the tables' "paper" column.
PAPER = {
    "unique_minima_mnist": 57913,
    "theta_mnist": 0.21,
    "table1": {"hidden": 0.95, "visible": 0.98},
}


def _read_csv(path):
    with open(path, newline="") as stream:
        return list(csv.DictReader(stream))


def _read_json(path):
    with open(path) as stream:
        return json.load(stream)


def _markdown(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |"
              for row in rows]
    return "\n".join(lines)


def _mean_sd(row):
    mean, sd = float(row["recalled_mean"]), float(row["recalled_std"])
    return f"{mean:.1f} ± {sd:.1f}" if sd else f"{mean:.0f}"


def _g(value):
    return f"{float(value):g}"


def _fig1(folder):
    summary = _read_csv(os.path.join(folder, "fig1", "fig1_summary.csv"))
    nh = sorted({int(row["nh"]) for row in summary})
    thetas = sorted({float(row["theta"]) for row in summary})
    variances = sorted({float(row["noise_variance"]) for row in summary})
    cell = {(int(r["nh"]), float(r["theta"]), float(r["noise_variance"])): r for r in summary}
    table_a = _markdown(["N_h", "2^N_h"] + [f"θ = {theta:g}" for theta in thetas],
                        [[n, 2**n] + [_mean_sd(cell[n, theta, 0.0]) for theta in thetas]
                         for n in nh])
    table_b = _markdown(
        ["N_h"] + [f"σ_v² = {v:g}" for v in variances]
        + [f"Eq. 38, σ_v² = {v:g}" for v in variances if v > 0],
        [[n] + [_mean_sd(cell[n, 0.5, v]) for v in variances]
         + [f"{float(cell[n, 0.5, v]['probability_eq38']):.1f}" for v in variances if v > 0]
         for n in nh])
    return {"fig1a": table_a, "fig1b": table_b}


def _versus(folder, figure, key, label):
    summary = _read_csv(os.path.join(folder, f"fig{figure}", f"fig{figure}_summary.csv"))
    values = sorted({float(row[key]) for row in summary})
    variances = sorted({float(row["noise_variance"]) for row in summary})
    cell = {(float(r[key]), float(r["noise_variance"])): r for r in summary}
    header = [label] + [f"recalled, σ_v² = {v:g}" for v in variances]
    if figure == "6":
        header += ["targets that are fixed points (Eq. 5)", "Eq. 38", "Eq. 40 bound"]
    rows = []
    for value in values:
        row = [_g(value)] + [_mean_sd(cell[value, v]) for v in variances]
        if figure == "6":
            first = cell[value, variances[0]]
            row += [f"{float(first['fixed_points_mean']):.1f}",
                    f"{float(first['probability_eq38']):.1f}",
                    f"{float(first['bound_eq40']):.1f}"]
        rows.append(row)
    return _markdown(header, rows)


def _fig10(folder):
    summary = _read_csv(os.path.join(folder, "fig10", "fig10_summary.csv"))
    points = _read_csv(os.path.join(folder, "fig10", "fig10_fixed_points.csv"))
    steepnesses = sorted({float(row["steepness"]) for row in summary})
    variances = sorted({float(row["noise_variance"]) for row in summary})
    nh = sorted({int(row["nh"]) for row in summary})
    cell = {(float(r["steepness"]), int(r["nh"]), float(r["noise_variance"])): r
            for r in summary}
    capacity = _markdown(
        ["N_h", "2^N_h"] + [f"k = {k:g}, σ_v² = {v:g}" for k in steepnesses for v in variances],
        [[n, 2**n] + [_mean_sd(cell[k, n, v]) for k in steepnesses for v in variances]
         for n in nh])
    intersections = _markdown(
        ["steepness k", "intersections x = f(x)", "slopes f'(x)", "stable"],
        [[_g(k), ", ".join(f"{float(p['x']):.5g}" for p in points if float(p["steepness"]) == k),
          ", ".join(f"{float(p['slope']):.3g}" for p in points if float(p["steepness"]) == k),
          ", ".join(p["stable"] for p in points if float(p["steepness"]) == k)]
         for k in steepnesses])
    return {"fig10a": intersections, "fig10b": capacity}


def _section32(folder):
    report = _read_json(os.path.join(folder, "section32", "evaluate_train.json"))
    same = _read_json(os.path.join(folder, "section32", "same_weights.json"))
    training = _read_json(os.path.join(folder, "section32", "training.json"))
    rows = [
        ["distinct final states that are fixed points (unique minima)",
         f"{PAPER['unique_minima_mnist']:,}", f"{report['unique_fixed_point_minima']:,}"],
        ["distinct final states", "—", f"{report['unique_minima']:,}"],
        ["final states that are fixed points", "—",
         f"{100 * report['fixed_point_fraction']:.3f}%"],
        ["reconstruction MSE per pixel at the fixed point", "—",
         f"{report['reconstruction_mse']:.4f}"],
        ["threshold θ (one, global)", f"{PAPER['theta_mnist']:g}", f"{report['theta_mean']:.3f}"],
        ["recall", "—", f"{report['backend']}, {report['formulation']} formulation, "
                        f"dt = {report['dt']}, {report['duration']} (the evaluate defaults)"],
        ["training time, 2 cores, one BLAS thread", "—", f"{training['total_seconds']:.0f} s"],
        ["retrained weights equal models/mnist_nh50_global.npz bit for bit", "—",
         "yes" if same["bit_identical"] else "NO"],
    ]
    return _markdown(["Section 3.2, MNIST, N_h = 50, symmetric, one θ", "paper", "bioam"], rows)


def _table1(folder):
    rows = _read_csv(os.path.join(folder, "table1", "table1.csv"))
    return _markdown(["representation", "classifier", "paper", "bioam (test accuracy)"],
                     [[row["representation"], row["classifier"],
                       row["paper_accuracy"] or "—", row["accuracy"]] for row in rows])


def _table4(folder):
    rows = _read_csv(os.path.join(folder, "table4", "table4.csv"))
    return _markdown(["model", "f", "g", "cue", "paper", "bioam (mean ± s.d. over draws)"],
                     [[row["model"], row["f"], row["g"], row["cue"],
                       row["paper_recall_performance"] or "—",
                       f"{float(row['recall_performance']):.3f} ± "
                       f"{float(row['recall_performance_std']):.3f}"] for row in rows])


def _runtimes(folder):
    names = sorted(name for name in os.listdir(folder)
                   if name.startswith("reproduce") and name.endswith(".json"))
    if "reproduce.json" not in names:
        raise FileNotFoundError(os.path.join(folder, "reproduce.json"))
    steps = {}
    for name in names:  # steps run beside the main reproduction keep their own record
        steps.update(_read_json(os.path.join(folder, name))["steps"])
    rows, total = [], 0.0
    for name, step in steps.items():
        if step["status"] == "not run":
            rows.append([name, step["reproduces"], "not run: " + step["reason"]])
            continue
        total += step["seconds"]
        rows.append([name, step["reproduces"], f"{step['status']}, {step['seconds']:.0f} s"])
    rows.append(["all (sum of the steps)", "", f"{total / 60:.0f} min"])
    return _markdown(["step", "reproduces", "status, wall time (2 cores)"], rows)


def _fig2(folder):
    data = _read_json(os.path.join(folder, "fig2", "fig2.json"))
    rows = [
        ["training images of digit " + str(data["digit"]) + " shown",
         ", ".join(str(index) for index in data["example_indices"])],
        ["their final hidden states: distinct, fixed points",
         f"{'all distinct' if data['examples_distinct'] else 'NOT all distinct'}, "
         f"{data['examples_fixed_points']} of {len(data['example_indices'])} fixed points"],
        ["Hamming distance between two of them (of 50): smallest, mean",
         f"{data['examples_min_hamming']}, {data['examples_mean_hamming']:.1f}"],
        ["active neurons shared by two of them (mean); active in all",
         f"{data['examples_mean_shared_active']:.1f}; {data['examples_active_in_all']}"],
        [f"all {data['class_images']:,} training {data['digit']}s: distinct fixed points",
         f"{data['class_distinct_fixed_points']:,} "
         f"({100 * data['class_fixed_point_fraction']:.2f}% of final states are fixed points)"],
        [f"all {data['digit']}s: active neurons (mean), Hamming distance of two (mean)",
         f"{data['class_mean_active']:.1f}, {data['class_mean_pairwise_hamming']:.1f}"],
    ]
    return _markdown(["Figure 2 (models/mnist_nh50_global.npz, 200 ms)", "bioam"], rows)


def _orthogonality(data):
    return (f"mean {data['mean_abs_offdiagonal_correlation']:.3f}, max "
            f"{data['max_abs_offdiagonal_correlation']:.3f} "
            f"({data['ratio_to_random']:.2f} × the {data['random_expected_mean_abs']:.3f} of "
            f"random vectors)")


def _fig3(folder):
    basic = _read_json(os.path.join(folder, "fig3", "fig3ab.json"))
    unseen = _read_json(os.path.join(folder, "fig3", "fig3c.json"))
    rows = [
        ["3b: mean and largest absolute correlation of two of the 50 basic memories", "nearly orthogonal (Eq. 7a)",
         _orthogonality(basic)],
        [f"3c: {unseen['n_memories']:,} unseen test images: distinct fixed points", "—",
         f"{unseen['unique_fixed_point_minima']:,} "
         f"({100 * unseen['fixed_point_fraction']:.2f}% of final states are fixed points)"],
        ["3c: reconstruction MSE per pixel at the fixed point", "—",
         f"{unseen['reconstruction_mse']:.4f}"],
    ]
    return _markdown(["Figure 3 (models/mnist_nh50_global.npz)", "paper", "bioam"], rows)


def _fig7(folder):
    data = _read_json(os.path.join(folder, "fig7", "fig7.json"))
    rows = [[model["n_hidden"], f"{model['unique_fixed_point_minima']:,}",
             f"{min(model['max_states'], 60000):,}",
             f"{100 * model['fixed_point_fraction']:.3f}%", f"{model['reconstruction_mse']:.4f}",
             f"{model['theta_mean']:.3f}"] for model in data["models"]]
    return _markdown(["N_h", "distinct fixed points of 60,000 images",
                      "most possible (min(2^N_h, 60,000))", "final states that are fixed points",
                      "reconstruction MSE", "θ"], rows)


def _fig9(folder):
    data = _read_json(os.path.join(folder, "fig9", "fig9.json"))
    rows = [
        ["examples (first training image of each digit): distinct fixed points",
         f"{data['examples_distinct']} distinct, {data['examples_fixed_points']} fixed points "
         f"of {len(data['example_indices'])}"],
        ["their reconstruction MSE (mean)", f"{data['examples_mean_mse']:.4f}"],
        ["per-neuron thresholds", f"{data['theta_min']:.3f} to {data['theta_max']:.3f}"],
        ["decoder basic memories (rows of xi_back): absolute correlation of two",
         _orthogonality(data["basic_memories"])],
    ]
    return _markdown(["Figure 9, left (models/mnist_nh50_asymmetric_fp.npz)", "bioam"], rows)


#: name -> function of the folder giving the table (or a dict of tables)
_TABLES = {
    "fig1": _fig1,
    "fig6": lambda folder: _versus(folder, "6", "ratio", "N_v / N_h"),
    "fig10": _fig10,
    "fig11": lambda folder: _versus(folder, "11", "tau_ratio", "τ_v / τ_h"),
    "section32": _section32,
    "fig2": _fig2,
    "fig3": _fig3,
    "fig7": _fig7,
    "fig9": _fig9,
    "table1": _table1,
    "table4": _table4,
    "runtimes": _runtimes,
}


def reproduction_tables(folder):
    """
    Every table of the reproduction document, from the files under ``folder``.

    Returns
    -------
    dict
        Table name -> markdown. Tables whose files are missing are left out.
    """
    tables = {}
    for name, make in _TABLES.items():
        try:
            made = make(folder)
        except FileNotFoundError:
            continue
        tables.update(made if isinstance(made, dict) else {name: made})
    return tables


_BLOCK = re.compile(r"(<!-- table:(?P<name>\w+) -->\n)(?P<body>.*?)\n?(<!-- end:(?P=name) -->)",
                    re.S)


def document_tables(text):
    """The tables between markers in a document: name -> markdown."""
    return {match["name"]: match["body"] for match in _BLOCK.finditer(text)}


def update_document(path, folder):
    """
    Replace every marked table of the document at ``path`` with what the files say.

    Returns
    -------
    list of str
        The names of the tables that changed.
    """
    with open(path) as stream:
        text = stream.read()
    tables = reproduction_tables(folder)
    changed = []

    def replace(match):
        name = match["name"]
        if name not in tables or tables[name] == match["body"]:
            return match.group(0)
        changed.append(name)
        return match.group(1) + tables[name] + "\n" + match.group(4)

    updated = _BLOCK.sub(replace, text)
    if changed:
        _write_atomic(path, ".md", lambda stream: stream.write(updated.encode()))
    return changed
