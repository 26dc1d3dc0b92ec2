"""Tests of saving and loading trained models."""

import json

import numpy as np
import pytest

import bioam
import bioam.io
from bioam.models import METADATA_KEYS, load_model, save_model
from bioam.training import TrainingConfig, train
from bioam.validation import BioamError


@pytest.fixture
def weights(rng):
    xi = rng.normal(size=(12, 4)).astype(np.float32)
    theta = rng.uniform(0.3, 0.6, 4).astype(np.float32)
    xi_back = rng.normal(size=(4, 12)).astype(np.float32)
    return xi, theta, xi_back


def test_round_trip_with_metadata(tmp_path, weights):
    xi, theta, xi_back = weights
    path = tmp_path / "model.npz"
    save_model(path, xi, theta, xi_back=xi_back,
               metadata={"dataset": "mnist", "seed": 3, "epochs": 7, "steepness": 20.0,
                         "final_loss": np.float32(1.5), "extra": np.arange(2)})
    model = load_model(path)
    np.testing.assert_array_equal(model["xi"], xi)
    np.testing.assert_array_equal(model["theta"], theta)
    np.testing.assert_array_equal(model["xi_back"], xi_back)
    metadata = model["metadata"]
    assert set(METADATA_KEYS) <= set(metadata)
    assert metadata["dataset"] == "mnist" and metadata["seed"] == 3
    assert metadata["n_visible"] == 12 and metadata["n_hidden"] == 4
    assert metadata["final_loss"] == 1.5 and metadata["extra"] == [0, 1]
    assert metadata["version"] == bioam.__version__
    assert metadata["date"].endswith("+00:00")
    with np.load(path) as stored:
        assert stored["xi"].dtype == np.float32  # trained weights keep their precision


def test_global_theta_and_symmetric_weights(tmp_path, weights):
    xi = weights[0]
    save_model(tmp_path / "m.npz", xi, 0.25)
    model = load_model(tmp_path / "m.npz")
    assert model["xi_back"] is None
    np.testing.assert_array_equal(model["theta"], np.full(4, 0.25))
    assert model["metadata"]["dataset"] is None
    with np.load(tmp_path / "m.npz") as stored:
        assert stored["theta"].shape == ()


def test_trained_model_metadata(tmp_path, rng):
    images = rng.random((30, 10)).astype(np.float32)
    model = train(images, TrainingConfig(n_hidden=3, epochs=2, seed=5), progress=False)
    save_model(tmp_path / "t.npz", model.xi, model.theta, metadata=model.metadata("toy"))
    metadata = load_model(tmp_path / "t.npz")["metadata"]
    assert metadata["dataset"] == "toy" and metadata["epochs"] == 2 and metadata["seed"] == 5
    assert metadata["final_loss"] == model.history[-1]["loss"]
    assert metadata["training"]["n_hidden"] == 3


def test_plain_weights_file_without_metadata(tmp_path, weights):
    np.savez(tmp_path / "plain.npz", xi=weights[0])
    model = load_model(tmp_path / "plain.npz")
    assert model["metadata"] == {} and model["theta"] is None


def test_failed_write_leaves_the_old_file_intact(tmp_path, weights, monkeypatch):
    xi, theta, _ = weights
    path = tmp_path / "model.npz"
    save_model(path, xi, theta, metadata={"dataset": "first"})
    before = path.read_bytes()

    def broken_savez(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez_compressed", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        save_model(path, 2 * xi, theta, metadata={"dataset": "second"})
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]  # no temporary left behind
    monkeypatch.undo()
    assert load_model(path)["metadata"]["dataset"] == "first"


def test_invalid_input_is_refused_before_writing(tmp_path, weights):
    xi, theta, _ = weights
    path = tmp_path / "model.npz"
    with pytest.raises(BioamError, match="theta"):
        save_model(path, xi, np.ones(3))
    with pytest.raises(BioamError, match="NaN"):
        save_model(path, np.full((3, 2), np.nan), 0.5)
    with pytest.raises(BioamError, match="JSON"):
        save_model(path, xi, theta, metadata={"bad": object()})
    with pytest.raises(BioamError, match="JSON"):
        save_model(path, xi, theta, metadata={"loss": float("nan")})
    with pytest.raises(BioamError, match="dict"):
        save_model(path, xi, theta, metadata="mnist")
    assert not path.exists()


def write_model(path, **arrays):
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("arrays, message", [
    (dict(xi=np.full((5, 3), np.nan)), "NaN"),
    (dict(xi=np.ones(5)), "shape"),
    (dict(xi=np.ones((5, 3)), theta=np.ones(4)), "theta"),
    (dict(xi=np.ones((5, 3)), xi_back=np.ones((5, 3))), "xi_back"),
    (dict(xi=np.ones((5, 3)), theta=np.array(np.inf)), "NaN or infinite"),
    (dict(weights=np.ones((5, 3))), "'xi'"),
    (dict(xi=np.ones((5, 3)), metadata=np.array("{not json")), "JSON"),
    (dict(xi=np.ones((5, 3)), metadata=np.array("[1, 2]")), "JSON object"),
    (dict(xi=np.ones((5, 3)), metadata=np.array(json.dumps({"n_hidden": 4}))), "n_hidden"),
])
def test_bad_model_files_raise(tmp_path, arrays, message):
    path = write_model(tmp_path / "bad.npz", **arrays)
    with pytest.raises(BioamError, match=message) as error:
        load_model(path)
    assert "\n" not in str(error.value)


def test_truncated_and_missing_files_raise(tmp_path, weights):
    path = tmp_path / "model.npz"
    save_model(path, weights[0], weights[1])
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])
    with pytest.raises(BioamError, match="corrupt"):
        load_model(path)
    path.write_bytes(b"\x00" * 50)
    with pytest.raises(BioamError, match="corrupt"):
        load_model(path)
    with pytest.raises(BioamError, match="does not exist"):
        load_model(tmp_path / "absent.npz")
