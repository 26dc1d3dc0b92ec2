"""The MNIST figures of paper 001 (bioam.paper.mnist) and their scripts, on tiny data."""

import csv
import importlib
import json
from pathlib import Path

import numpy as np
import pytest
from brian2 import ms

from bioam.models import save_model
from bioam.paper import mnist
from bioam.validation import BioamError

ROOT = Path(__file__).resolve().parents[1]
QUICK = dict(backend="numpy", duration=150 * ms)  # 7.5 tau_v: converged

N_HIDDEN, BLOCK = 4, 4  # 4 x 4 pixel images, one block of 4 pixels per hidden neuron


def _block_weights():
    """xi with disjoint blocks of 2: J = xi^T xi / N_v = identity, every pattern a fixed point."""
    xi = np.zeros((N_HIDDEN * BLOCK, N_HIDDEN))
    for mu in range(N_HIDDEN):
        xi[mu * BLOCK:(mu + 1) * BLOCK, mu] = 2.0
    return xi


def _patterns(n, seed):
    rng = np.random.default_rng(seed)
    patterns = (rng.random((n, N_HIDDEN)) < 0.5).astype(float)
    patterns[:, 0] = 1  # no empty pattern
    return patterns


def _images(patterns):
    """The fixed point of each pattern, v = xi s / sqrt(N_h): ones on the active blocks."""
    return patterns @ _block_weights().T / np.sqrt(N_HIDDEN)


def _labels(patterns):
    return (patterns[:, 1] + 2 * patterns[:, 2]).astype(int)  # 0..3


def _dataset(path):
    train, test = _patterns(40, 0), _patterns(20, 1)
    np.savez(path, x_train=_images(train).reshape(-1, 4, 4), y_train=_labels(train),
             x_test=_images(test).reshape(-1, 4, 4), y_test=_labels(test))
    return str(path)


def _model(xi_back=None, theta=0.5):
    return {"xi": _block_weights(), "xi_back": xi_back, "theta": theta, "metadata": {}}


def test_hamming_distances_and_pair_statistics_match_direct_numpy(rng):
    states = (rng.random((7, 9)) < 0.4).astype(float)
    direct = np.array([[sum(a != b for a, b in zip(x, y)) for y in states] for x in states])
    np.testing.assert_array_equal(mnist.hamming_distances(states), direct)
    stats = mnist.pairwise_statistics(states)
    off = ~np.eye(7, dtype=bool)
    shared = states @ states.T
    assert stats["mean_pairwise_hamming"] == pytest.approx(direct[off].mean())
    assert stats["mean_pairwise_shared_active"] == pytest.approx(shared[off].mean())
    assert stats["distinct_states"] == len({tuple(row) for row in states})
    assert stats["active_in_all"] == int(np.all(states > 0.5, axis=0).sum())


def test_correlation_statistics_on_known_matrices(rng):
    blocks = mnist.basic_memories(_block_weights())  # disjoint blocks: cosine 0
    stats = mnist.correlation_statistics(blocks)
    # Pearson correlation of two disjoint blocks of 4 ones among 16 pixels: -1/3
    assert stats["mean_abs_offdiagonal_correlation"] == pytest.approx(1 / 3)
    assert stats["max_abs_offdiagonal_cosine"] == pytest.approx(0, abs=1e-12)
    assert stats["random_expected_rms"] == pytest.approx(1 / 4)
    memories = rng.standard_normal((6, 50)) + 0.3 * rng.standard_normal(50)
    stats = mnist.correlation_statistics(memories)
    correlation = np.corrcoef(memories)[~np.eye(6, dtype=bool)]
    assert stats["mean_abs_offdiagonal_correlation"] == pytest.approx(np.abs(correlation).mean())
    assert stats["max_abs_offdiagonal_correlation"] == pytest.approx(np.abs(correlation).max())
    assert stats["ratio_to_random"] == pytest.approx(
        np.abs(correlation).mean() / np.sqrt(2 / (np.pi * 50)))
    assert "random vectors" in stats["verdict"]
    # independent Gaussian vectors: about the expected value
    random = mnist.correlation_statistics(rng.standard_normal((40, 2000)))
    assert random["ratio_to_random"] == pytest.approx(1, abs=0.1)
    with pytest.raises(BioamError, match="constant"):
        mnist.correlation_statistics(np.vstack([np.ones(5), rng.standard_normal(5)]))


def test_basic_memories_of_an_asymmetric_model_are_the_decoder_rows(rng):
    xi = _block_weights()
    xi_back = xi.T * rng.uniform(0.5, 1.5, size=xi.T.shape) + 0.1 * rng.random(xi.T.shape)
    data = mnist.figure3ab_data(_model(xi_back=xi_back))
    np.testing.assert_array_equal(data["memories"], xi_back)
    assert not np.allclose(data["memories"], xi.T)
    assert data["summary"]["basic_memories"].startswith("rows of the decoder")
    assert data["summary"]["mean_abs_offdiagonal_correlation"] == pytest.approx(
        np.abs(np.corrcoef(xi_back)[~np.eye(N_HIDDEN, dtype=bool)]).mean())
    fig = mnist.plot_figure3ab(data, n_shown=4)
    matrix = [axis for axis in fig.axes if axis.get_xlabel() == "hidden neuron ν"]
    assert len(matrix) == 1
    np.testing.assert_allclose(matrix[0].images[0].get_array(), np.corrcoef(xi_back))
    symmetric = mnist.figure3ab_data(_model())
    np.testing.assert_array_equal(symmetric["memories"], xi.T)
    assert len(symmetric["rows"]) == N_HIDDEN * (N_HIDDEN - 1) // 2


def test_pick_examples_takes_the_next_image_of_each_digit():
    labels = np.array([3, 6, 1, 6, 6, 0])
    np.testing.assert_array_equal(mnist.pick_examples(labels, (6, 6, 0, 6)), [1, 3, 5, 4])
    with pytest.raises(BioamError, match="digit 6"):
        mnist.pick_examples(labels, (6, 6, 6, 6))


def test_figure2_recalls_fixed_points_and_tabulates_hamming_distances():
    patterns = _patterns(30, 2)
    labels = _labels(patterns)
    data = mnist.figure2_data(_model(), _images(patterns), labels, digit=1, n_examples=4,
                              **QUICK)
    members = np.flatnonzero(labels == 1)
    shown = members[:4]
    # exact fixed points: the recalled hidden states are the patterns themselves
    np.testing.assert_array_equal(data["examples"]["states"], patterns[shown])
    np.testing.assert_allclose(data["examples"]["visible"], _images(patterns[shown]), atol=1e-4)
    direct = np.abs(patterns[shown][:, None, :] - patterns[shown][None, :, :]).sum(axis=2)
    for k, row in enumerate(data["rows"]):
        assert row["image_index"] == shown[k] and row["label"] == 1
        assert row["n_active"] == patterns[shown[k]].sum()
        assert row["is_fixed_point"] and row["recall_mse"] < 1e-8
        for j, other in enumerate(shown):
            assert row[f"hamming_to_image_{other}"] == ("" if j == k else direct[k, j])
    summary = data["summary"]
    assert summary["class_images"] == len(members)
    assert summary["class_distinct_states"] == len({tuple(p) for p in patterns[members]})
    assert summary["examples_active_in_all"] == int(np.all(patterns[shown], axis=0).sum())
    assert summary["class_fixed_point_fraction"] == 1.0
    fig = mnist.plot_figure2(data)
    assert fig.legends and "active" in fig.legends[0].get_texts()[0].get_text()


def _script(name, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "experiments" / "paper"))
    return importlib.import_module(name)


def _csv(path):
    with open(path, newline="") as stream:
        return list(csv.DictReader(stream))


def _tiny_files(tmp_path, rng):
    dataset = _dataset(tmp_path / "tiny.npz")
    xi = _block_weights()
    save_model(tmp_path / "sym.npz", xi, 0.5, metadata={"seed": 0})
    save_model(tmp_path / "asym.npz", xi, np.full(N_HIDDEN, 0.4),
               xi_back=xi.T * rng.uniform(0.8, 1.2, size=xi.T.shape))
    return dataset, str(tmp_path / "sym.npz"), str(tmp_path / "asym.npz")


COMMON = ["--backend", "numpy", "--duration", "150ms", "--quiet"]


def test_scripts_fig2_fig3_fig9_write_their_files(tmp_path, monkeypatch, rng):
    dataset, symmetric, asymmetric = _tiny_files(tmp_path, rng)
    out = tmp_path / "fig2"
    _script("fig2_recall_ring", monkeypatch).main(
        ["--out", str(out), "--model", symmetric, "--dataset", dataset, "--digit", "1",
         "--examples", "3", *COMMON])
    rows = _csv(out / "fig2_examples.csv")
    assert len(rows) == 3 and all(row["is_fixed_point"] == "True" for row in rows)
    summary = json.loads((out / "fig2.json").read_text())
    assert summary["digit"] == 1 and summary["provenance"]["inputs"]
    assert summary["theta"] == 0.5 and summary["symmetric"]
    record = json.loads((out / "provenance.json").read_text())
    assert record["argv"][0] == "experiments/paper/fig2_recall_ring.py"
    assert record["argv"][1] == "--out" and "--digit" in record["argv"]
    assert (out / "fig2.png").stat().st_size > 10_000

    out = tmp_path / "fig3"
    _script("fig3_basic_memories", monkeypatch).main(
        ["--out", str(out), "--model", symmetric, "--dataset", dataset, "--shown", "4",
         "--example-digits", "1", "1", "0", *COMMON])
    unseen = json.loads((out / "fig3c.json").read_text())
    assert unseen["n_memories"] == 20 and unseen["fixed_point_fraction"] == 1.0
    assert unseen["reconstruction_mse"] < 1e-8
    memories = json.loads((out / "fig3ab.json").read_text())
    assert memories["mean_abs_offdiagonal_cosine"] == pytest.approx(0, abs=1e-12)
    assert len(_csv(out / "fig3ab_pairs.csv")) == 6 and len(_csv(out / "fig3c_examples.csv")) == 3
    for name in ("fig3ab.png", "fig3c.png", "provenance.json"):
        assert (out / name).exists()

    out = tmp_path / "fig9"
    _script("fig9_asymmetric", monkeypatch).main(
        ["--out", str(out), "--model", asymmetric, "--dataset", dataset, "--example-digits",
         "0", "1", "2", *COMMON])
    summary = json.loads((out / "fig9.json").read_text())
    assert summary["basic_memories"]["basic_memories"].startswith("rows of the decoder")
    assert summary["theta_min"] == pytest.approx(0.4) and not summary["symmetric"]
    assert summary["theta"] == 0.4  # one value for all: a global threshold
    assert [int(row["label"]) for row in _csv(out / "fig9_examples.csv")] == [0, 1, 2]
    for name in ("fig9.png", "fig9_basic_memories.png", "provenance.json"):
        assert (out / name).exists()


def test_fig7_script_trains_then_reuses_the_model(tmp_path, monkeypatch, rng):
    dataset, symmetric, _ = _tiny_files(tmp_path, rng)
    script = _script("fig7_nh16", monkeypatch)
    model = tmp_path / "models" / "nh16.npz"
    out = tmp_path / "fig7"
    arguments = ["--out", str(out), "--model-out", str(model), "--dataset", dataset,
                 "--epochs", "2", "--compare-model", symmetric, "--example-digits", "0", "1",
                 *COMMON]
    script.main(arguments)
    assert model.exists() and not list(out.glob("*.ckpt.npz"))
    training = json.loads((out / "training.json").read_text())
    assert "--nh 16" in training["command"] and "--epochs 2" in training["command"]
    rows = _csv(out / "fig7_models.csv")
    assert [int(row["n_hidden"]) for row in rows] == [16, N_HIDDEN]
    assert [int(row["max_states"]) for row in rows] == [2**16, 2**N_HIDDEN]
    assert all(int(row["n_memories"]) == 40 for row in rows)
    assert int(rows[1]["unique_fixed_point_minima"]) == len(
        {tuple(p) for p in _patterns(40, 0)})
    for name in ("fig7.png", "fig7_basic_memories.png", "fig7.json", "fig7_examples.csv"):
        assert (out / name).exists()
    (out / "training.json").unlink()
    before = model.stat().st_mtime_ns
    script.main(arguments)  # the model exists: no training
    assert model.stat().st_mtime_ns == before and not (out / "training.json").exists()
    assert json.loads((out / "fig7.json").read_text())["training"] is None
