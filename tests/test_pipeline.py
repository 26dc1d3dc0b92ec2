"""train -> evaluate -> compare from the command line, on small synthetic data sets."""

import json

import numpy as np
import pytest

from bioam.cli import main
from bioam.models import load_model
from test_datasets import cifar_batches, write_cifar_archive


@pytest.fixture
def digits(tmp_path):
    """A small MNIST-layout set: 200 images of 10 x 10 built from 6 random strokes."""
    rng = np.random.default_rng(3)
    strokes = (rng.random((6, 100)) < 0.25).astype(float)
    codes = rng.integers(0, 2, (240, 6))
    images = np.clip(codes @ strokes, 0, 1).reshape(240, 10, 10)
    path = tmp_path / "digits.npz"
    np.savez(path, x_train=(images[:200] * 255).astype(np.uint8),
             y_train=codes[:200, 0].astype(np.uint8),
             x_test=(images[200:] * 255).astype(np.uint8), y_test=codes[200:, 0].astype(np.uint8))
    return path


def test_train_evaluate_compare(digits, tmp_path, capsys):
    model_path = tmp_path / "models" / "digits.npz"
    assert main(["train", "--dataset", str(digits), "--nh", "8", "--epochs", "60",
                 "--batch-size", "32", "--steepness", "20", "--lr", "0.01", "--out", str(model_path),
                 "--quiet"]) == 0
    model = load_model(model_path)
    assert model["metadata"]["dataset"] == str(digits)
    assert model["metadata"]["n_hidden"] == 8 and model["metadata"]["seed"] == 0
    assert "version" in json.dumps(model["metadata"])
    report_path = tmp_path / "report.json"
    assert main(["evaluate", "--model", str(model_path), "--backend", "numpy", "--json",
                 str(report_path), "--figures", str(tmp_path / "figs"), "--quiet"]) == 0
    report = json.loads(report_path.read_text())
    import hashlib
    provenance = report["provenance"]      # which code, command and inputs made the numbers
    from bioam.provenance import portable_path

    assert provenance["inputs"][portable_path(model_path)] == \
        hashlib.sha256(model_path.read_bytes()).hexdigest()
    assert portable_path(model_path) == "<outside>/models/digits.npz"  # no machine's own path
    assert sorted(provenance["inputs"].values()) == sorted(
        hashlib.sha256(path.read_bytes()).hexdigest() for path in (model_path, digits))
    assert provenance["argv"][:2] == ["bioam", "evaluate"] and provenance["version"]
    assert {"n_memories", "unique_minima", "fixed_point_fraction",
            "reconstruction_mse"} <= set(report)
    assert report["n_memories"] == 200
    assert report["unique_minima"] >= 10  # compositional codes, not one grandmother cell
    assert report["fixed_point_fraction"] >= 0.9
    pixels = np.load(digits)["x_train"].reshape(200, -1) / 255.0
    assert report["reconstruction_mse"] < np.mean((pixels - pixels.mean(axis=0)) ** 2)
    assert (tmp_path / "figs" / "recall_examples.png").stat().st_size > 5000
    out = tmp_path / "compare"
    assert main(["compare", "--model", str(model_path), "--n", "20", "--backend", "numpy",
                 "--variants", "heterogeneous:spread=0.01", "sparse:p=0.9", "dale",
                 "--out", str(out), "--quiet"]) == 0
    lines = (out / "compare.csv").read_text().splitlines()
    assert lines[0] == "variant,recalled_target,matches_rate_model,reconstruction_mse,mean_rate_hz,seconds"
    dale = [line for line in lines if line.startswith("dale")][0].split(",")
    assert float(dale[2]) == 1.0  # exact mapping of Dale's law


@pytest.mark.parametrize("backend", ["numpy", pytest.param("cython", marks=pytest.mark.slow),
                                     pytest.param("cpp_standalone", marks=pytest.mark.slow)])
def test_cifar10_pipeline_with_500_hidden_neurons(tmp_path, monkeypatch, backend):
    data = tmp_path / "data"
    data.mkdir()
    write_cifar_archive(data / "cifar-10-python.tar.gz", cifar_batches())
    monkeypatch.setenv("BIOAM_DATA_DIR", str(data))
    model_path = tmp_path / "cifar.npz"
    assert main(["train", "--dataset", "cifar10", "--nh", "500", "--epochs", "1",
                 "--batch-size", "50", "--out", str(model_path), "--quiet"]) == 0
    assert load_model(model_path)["xi"].shape == (3072, 500)
    report_path = tmp_path / "report.json"
    assert main(["evaluate", "--model", str(model_path), "--backend", backend, "--limit", "3",
                 "--duration", "3ms", "--json", str(report_path),
                 "--figures", str(tmp_path / "figs"), "--quiet"]) == 0
    report = json.loads(report_path.read_text())
    assert report["n_memories"] == 3
    assert 1 <= report["unique_minima"] <= 3
    assert np.isfinite(report["reconstruction_mse"])


def test_fine_tune_from_a_global_threshold_model_with_the_fixed_point_terms(digits, tmp_path):
    from bioam.datasets import load_dataset
    from bioam.evaluation import objective_codes
    from bioam.reference import fixed_point_hidden_state

    base, tuned = tmp_path / "base.npz", tmp_path / "tuned.npz"
    assert main(["train", "--dataset", str(digits), "--nh", "8", "--epochs", "30",
                 "--batch-size", "32", "--lr", "0.01", "--theta-mode", "global",
                 "--out", str(base), "--quiet"]) == 0
    fine_tune = ["train", "--dataset", str(digits), "--nh", "8", "--epochs", "30",
                 "--batch-size", "32", "--lr", "0.003", "--theta-mode", "global",
                 "--init", str(base), "--surrogate", "straight_through", "--steepness", "100",
                 "--quiet"]
    assert main(fine_tune + ["--fixed-point-margin", "0.03", "--fixed-point-weight", "3000",
                             "--margin", "0.02", "--margin-off", "0.005",
                             "--margin-weight", "1000", "--collision-boost", "1.5",
                             "--collision-weight-cap", "20", "--out", str(tuned)]) == 0
    assert main(fine_tune + ["--out", str(tmp_path / "plain.npz")]) == 0
    model = load_model(tuned)
    training = model["metadata"]["training"]
    assert (training["fixed_point_margin"], training["fixed_point_weight"],
            training["collision_boost"], training["margin_off"]) == (0.03, 3000.0, 1.5, 0.005)
    assert np.ptp(model["theta"]) == 0          # still one global threshold
    images, _, _ = load_dataset(str(digits), split="train")

    def fixed_fraction(path):
        model = load_model(path)
        codes = objective_codes(model["xi"], model["theta"], images)
        fixed, margin = fixed_point_hidden_state(model["xi"], codes, theta=model["theta"])
        return np.mean(fixed & (margin >= 0.02))

    # the fixed-point term makes the images' codes fixed points of Eq. 5 with a margin
    # (on these easy images the plain fine-tune is close: the effect on MNIST is in
    # docs/results.md; the term's gradient is checked in tests/test_training.py)
    assert fixed_fraction(tuned) >= 0.9
    assert fixed_fraction(tuned) > fixed_fraction(tmp_path / "plain.npz")
