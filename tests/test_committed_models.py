"""The trained models in models/: complete metadata, and recall of stored MNIST images."""

from pathlib import Path

import numpy as np
import pytest

from bioam.datasets import data_directory, load_dataset
from bioam.evaluation import evaluate_hidden_codes
from bioam.models import load_model

MODELS = Path(__file__).resolve().parents[1] / "models"
MODEL_FILES = sorted(MODELS.glob("*.npz"))
HAVE_MNIST = (data_directory() / "mnist.npz").exists()


def test_the_mnist_models_are_committed():
    names = {path.name for path in MODEL_FILES}
    assert {"mnist_nh50.npz", "mnist_nh50_asymmetric.npz"} <= names


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda path: path.name)
def test_model_metadata_says_how_it_was_made(path):
    model = load_model(path)
    metadata = model["metadata"]
    for key in ("dataset", "seed", "epochs", "version", "date", "training", "final_loss"):
        assert metadata.get(key) is not None, key
    assert model["xi"].shape == (metadata["n_visible"], metadata["n_hidden"])
    assert metadata["training"]["asymmetric"] == (model["xi_back"] is not None)
    assert np.all(np.isfinite(model["xi"]))


def test_the_papers_network_is_symmetric_with_one_global_threshold():
    model = load_model(MODELS / "mnist_nh50_global.npz")
    assert model["xi_back"] is None and np.ptp(model["theta"]) == 0
    training = model["metadata"]["training"]
    assert training["theta_mode"] == "global" and training["init_from"].endswith(
        "mnist_nh50_global_base.npz")
    assert training["fixed_point_margin"] > 0


def test_the_asymmetric_model_is_asymmetric_with_heterogeneous_thresholds():
    model = load_model(MODELS / "mnist_nh50_asymmetric.npz")
    xi, xi_back, theta = model["xi"], model["xi_back"], np.asarray(model["theta"])
    correlation = np.corrcoef(xi.ravel(), xi_back.T.ravel())[0, 1]
    assert correlation < 0.8  # a separate decoder, far from xi^T
    assert theta.shape == (50,) and np.std(theta) > 0.01  # one threshold per neuron
    assert model["metadata"]["training"]["surrogate"] == "straight_through"


@pytest.mark.skipif(not HAVE_MNIST, reason="needs mnist.npz in the data directory")
@pytest.mark.parametrize("name", ["mnist_nh50.npz", "mnist_nh50_asymmetric.npz",
                                  "mnist_nh50_global.npz", "mnist_nh50_fp.npz",
                                  "mnist_nh50_asymmetric_fp.npz"])
def test_stored_images_are_recalled_to_distinct_fixed_points(name):
    model = load_model(MODELS / name)
    images, _, _ = load_dataset("mnist", split="train", limit=300)
    report = evaluate_hidden_codes(model["xi"], model["theta"], images.astype(np.float64),
                                   xi_back=model["xi_back"])
    assert report["fixed_point_fraction"] >= 0.99
    assert report["unique_minima"] >= 295
    # Recognisable recall: far below the error of outputting zeros (about 0.1).
    assert report["reconstruction_mse"] < 0.035
    assert np.mean(images ** 2) > 3 * report["reconstruction_mse"]
