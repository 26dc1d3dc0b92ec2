"""The capacity figures of paper 001 (bioam.paper.capacity) and the reproduction runner."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from brian2 import ms

from bioam.capacity import binary_patterns
from bioam.paper.capacity import (figure6_rows, figure10_rows, figure11_rows, plot_figure6,
                                  plot_figure10, plot_figure11, sigmoid_fixed_points, summarise)
from bioam.reference import reference_recall
from bioam.theory import no_bit_flip_probability
from bioam.validation import BioamError

ROOT = Path(__file__).resolve().parents[1]
QUICK = dict(backend="numpy", scheduler="inline", progress=False)


def _numpy_capacity(n_hidden, ratio, seed, tau_v=20 * ms, tau_h=1 * ms, duration=50 * ms,
                    activation="step", steepness=20.0, noise=0.0):
    """Recalled patterns counted with the NumPy reference (exact pieces for the step)."""
    rng = np.random.default_rng([seed, n_hidden])
    n_visible = int(round(ratio * n_hidden))
    xi = rng.standard_normal((n_visible, n_hidden))
    patterns = binary_patterns(n_hidden, None, rng)
    cues = patterns @ xi.T / np.sqrt(n_hidden)
    noise_rng = np.random.default_rng([seed, n_hidden, int(round(noise * 1e6))])
    cues = cues + noise * noise_rng.standard_normal(cues.shape)
    result = reference_recall(xi, cues, theta=0.5, tau_v=tau_v, tau_h=tau_h, dt=0.025 * ms,
                              duration=duration, activation=activation, steepness=steepness,
                              integrator="exact" if activation == "step" else "euler")
    hidden = result["hidden"]
    return int(np.all((hidden > 0.5) == (patterns > 0.5), axis=1).sum())


def test_figure6_counts_match_the_numpy_reference_and_theory_trend():
    rows = figure6_rows(n_hidden=4, ratios=(1, 3, 100), seeds=(0, 1), **QUICK)
    assert [row["ratio"] for row in rows] == [1.0, 1.0, 3.0, 3.0, 100.0, 100.0]
    for row in rows:
        assert row["n_recalled"] == _numpy_capacity(4, row["ratio"], row["seed"]), row
        assert row["probability_eq38"] == pytest.approx(
            no_bit_flip_probability(4, row["nv"]), rel=1e-12)
    summary = summarise(rows, ["ratio"])
    assert summary[-1]["recalled_mean"] == 16  # N_v = 100 N_h: every pattern
    assert summary[0]["recalled_mean"] < 16  # N_v = N_h: cross-talk loses patterns
    np.testing.assert_allclose([row["recalled_mean"] for row in summary],
                               [np.mean([r["n_recalled"] for r in rows if r["ratio"] == ratio])
                                for ratio in (1, 3, 100)])


def test_figure11_slow_hidden_neurons_lose_patterns_as_in_the_numpy_reference():
    rows = figure11_rows(n_hidden=3, ratio=100, tau_ratios=(1, 20), noise_variances=(9.0,),
                         seeds=(0,), **QUICK)
    by_ratio = {row["tau_ratio"]: row for row in rows}
    for tau_ratio, row in by_ratio.items():
        assert row["n_recalled"] == _numpy_capacity(
            3, 100, 0, tau_v=tau_ratio * ms, duration=max(50, 2.5 * tau_ratio) * ms, noise=3.0)
    assert by_ratio[1.0]["n_recalled"] < by_ratio[20.0]["n_recalled"]


def test_figure10_counts_binarised_sigmoid_states_like_the_numpy_reference():
    rows = figure10_rows(n_hidden=(3,), steepnesses=(8.0,), noise_variances=(0.0,), seeds=(0,),
                         **QUICK)
    assert rows[0]["n_recalled"] == _numpy_capacity(3, 100, 0, activation="sigmoid",
                                                    steepness=8.0) == 8


@pytest.mark.parametrize("steepness", [5.0, 8.0, 20.0, 50.0])
def test_sigmoid_has_three_intersections_two_stable(steepness):
    points = sigmoid_fixed_points(steepness)
    assert [point["stable"] for point in points] == [True, False, True]
    for point in points:
        assert 1 / (1 + np.exp(-steepness * (point["x"] - 0.5))) == pytest.approx(point["x"],
                                                                                abs=1e-12)
    assert points[0]["x"] == pytest.approx(1 - points[2]["x"], abs=1e-12)  # symmetric about 1/2


def test_a_sigmoid_with_one_intersection_is_refused():
    assert len(sigmoid_fixed_points(3.0)) == 1
    with pytest.raises(BioamError, match="steepness > 4"):
        figure10_rows(steepnesses=(3.0,), **QUICK)


def test_bad_settings_are_refused_before_any_work():
    with pytest.raises(BioamError, match="no visible neuron"):
        figure6_rows(n_hidden=2, ratios=(0.1,), **QUICK)
    with pytest.raises(BioamError, match="tau_v / tau_h"):
        figure11_rows(tau_ratios=(0,), **QUICK)
    with pytest.raises(BioamError, match="seeds"):
        figure6_rows(seeds=(), **QUICK)


def test_figures_are_drawn(tmp_path):
    rows = [dict(nh=10, nv=1000, ratio=r, tau_ratio=t, tau_h_ms=1.0, steepness=k, seed=s,
                 noise_variance=v, n_patterns=1024, n_recalled=1000 - s, n_fixed_points=1024,
                 bound_eq40=0.9, probability_eq38=0.95)
            for r in (10, 100) for t in (1, 20) for k in (8.0, 20.0) for s in (0, 1)
            for v in (0.0, 9.0)]
    for rows_nh in ([dict(row, nh=n) for n in (2, 3) for row in rows[:4]],):
        plot_figure10(rows_nh, tmp_path / "f10.png")
    plot_figure6(rows, tmp_path / "f6.png")
    plot_figure11(rows, tmp_path / "f11.png")
    for name in ("f6.png", "f10.png", "f11.png"):
        assert (tmp_path / name).stat().st_size > 10_000


def _run(*arguments, cwd=ROOT, env=None):
    return subprocess.run([sys.executable, *arguments], cwd=cwd, capture_output=True,
                          text=True, timeout=600, env=env)


def test_figure_script_writes_csv_figure_and_provenance(tmp_path):
    out = tmp_path / "fig6"
    done = _run("experiments/paper/fig6_ratio.py", "--nh", "3", "--ratios", "2", "100",
                "--seeds", "0", "--backend", "numpy", "--scheduler", "inline", "--out",
                str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    rows = (out / "fig6.csv").read_text().splitlines()
    assert len(rows) == 3 and rows[0].startswith("figure,nh,nv,ratio")
    record = json.loads((out / "fig6_provenance.json").read_text())
    assert record["settings"]["ratios"] == [2.0, 100.0] and record["version"]
    assert (out / "fig6.png").stat().st_size > 10_000
    bad = _run("experiments/paper/fig6_ratio.py", "--ratios", "0.01", "--scheduler", "inline",
               "--out", str(tmp_path / "bad"))
    assert bad.returncode == 2 and bad.stderr.startswith("error: ratio 0.01")
    assert "Traceback" not in bad.stderr and not (tmp_path / "bad").exists()


def test_runner_compares_models_bit_for_bit_and_lists_cifar10_as_not_run(tmp_path):
    from bioam.models import save_model

    rng = np.random.default_rng(0)
    xi = rng.standard_normal((20, 4))
    save_model(tmp_path / "a.npz", xi, 0.5, metadata={"seed": 0})
    save_model(tmp_path / "b.npz", xi.copy(), 0.5, metadata={"seed": 1})
    changed = xi.copy()
    changed[3, 1] = np.nextafter(changed[3, 1], np.inf)
    save_model(tmp_path / "c.npz", changed, 0.5)
    script = "experiments/reproduce.py"
    same = _run(script, "--compare-models", str(tmp_path / "a.npz"), str(tmp_path / "b.npz"),
                str(tmp_path / "same.json"))
    assert same.returncode == 0 and json.loads((tmp_path / "same.json").read_text())[
        "bit_identical"]
    differ = _run(script, "--compare-models", str(tmp_path / "a.npz"), str(tmp_path / "c.npz"),
                  str(tmp_path / "differ.json"))
    report = json.loads((tmp_path / "differ.json").read_text())
    assert differ.returncode == 1 and report["same"] == {"xi": False, "xi_back": True,
                                                         "theta": True}
    env = dict(os.environ, BIOAM_DATA_DIR=str(tmp_path / "no_data"))
    (tmp_path / "no_data").mkdir()
    skipped = _run(script, "--only", "cifar10", "--out", str(tmp_path / "out"), env=env)
    assert skipped.returncode == 0, skipped.stderr
    record = json.loads((tmp_path / "out" / "reproduce.json").read_text())
    assert record["steps"]["cifar10"]["status"] == "not run"
    unknown = _run(script, "--only", "fig99", "--out", str(tmp_path / "out"))
    assert unknown.returncode == 2 and "unknown step(s) fig99" in unknown.stderr
