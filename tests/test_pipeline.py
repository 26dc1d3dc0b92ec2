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
