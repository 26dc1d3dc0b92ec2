"""Table 4 (bioam baselines): the protocol's pieces, Brian2 against the reference, the CLI's checks."""

import csv

import numpy as np
import pytest
from brian2 import ms

from bioam import BioamError, reference_recall
from bioam.baselines import (DRAW_COLUMNS, PROTOCOL, TABLE4_COLUMNS, draw_memories, make_cues,
                             normalise, occlude, readout, recall_baseline, table4,
                             write_table4)
from bioam.cli import main
from bioam.krotov_hopfield import MODELS, krotov_hopfield_weights


def digits(n, seed=0):
    """Blocky 28 x 28 'images' in [0, 1] with labels: a bright square whose place is the class."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 4
    images = np.zeros((n, 28, 28))
    for k, label in enumerate(labels):
        row, col = 4 + 10 * (label // 2), 4 + 10 * (label % 2)
        images[k, row:row + 9, col:col + 9] = 1.0
    images += 0.2 * rng.random(images.shape)
    return np.clip(images, 0, 1).reshape(n, 784), labels


class Nearest:
    """A stand-in classifier: the label of the nearest class mean."""

    def __init__(self, images, labels):
        self.classes = np.unique(labels)
        self.means = np.array([images[labels == c].mean(axis=0) for c in self.classes])

    def predict(self, images):
        distances = ((np.asarray(images)[:, None, :] - self.means[None]) ** 2).sum(axis=2)
        return self.classes[distances.argmin(axis=1)]


def test_normalise_round_trip_and_readout_of_a_scaled_memory():
    images, _ = digits(5)
    unit, mean, norm = normalise(images)
    np.testing.assert_allclose(np.linalg.norm(unit, axis=1), 1.0)
    np.testing.assert_allclose(unit.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(unit * norm + mean, images, atol=1e-12)
    # a recall c w_mu of any positive scale reads as the image; a negative one does not
    np.testing.assert_allclose(readout(1e12 * unit, mean, norm), images, atol=1e-9)
    assert np.abs(readout(-3.0 * unit, mean, norm) - images).max() > 0.5
    with pytest.raises(BioamError, match="same value"):
        normalise(np.ones((1, 784)))


def test_occlusion_hides_the_bottom_quarter_and_draws_are_seeded():
    images, _ = digits(3)
    hidden = occlude(images)
    assert PROTOCOL["occluded_rows"] == 7
    assert np.all(hidden.reshape(3, 28, 28)[:, 21:] == 0)
    np.testing.assert_array_equal(hidden.reshape(3, 28, 28)[:, :21],
                                  images.reshape(3, 28, 28)[:, :21])
    np.testing.assert_array_equal(make_cues(images, "clean"), images)
    with pytest.raises(BioamError, match="unknown cue"):
        make_cues(images, "blurred")
    first = draw_memories(100, 10, seed=3)
    assert len(set(first)) == 10 and np.array_equal(first, draw_memories(100, 10, seed=3))
    assert not np.array_equal(first, draw_memories(100, 10, seed=4))
    with pytest.raises(BioamError, match="n_memories"):
        draw_memories(5, 6, seed=0)


@pytest.mark.parametrize("model", sorted(MODELS))
def test_brian2_recall_of_the_protocol_equals_the_reference(model):
    """Memories and cues as the protocol makes them, the protocol's dt and beta, Brian2 vs NumPy."""
    images, _ = digits(4, seed=1)
    memories = normalise(images)[0]
    cues = normalise(occlude(images))[0]
    duration = 10 * ms
    result = recall_baseline(model, memories, cues, backend="cython", duration=duration)
    xi, xi_back = krotov_hopfield_weights(memories)
    expected = reference_recall(xi, cues, xi_back=xi_back, theta=0.0, tau_v=PROTOCOL["tau_v"],
                                tau_h=PROTOCOL["tau_h"], dt=PROTOCOL["dt"], duration=duration,
                                **MODELS[model].options(beta=PROTOCOL["beta"]))
    scale = np.abs(expected["visible"]).max()
    assert np.abs(result.visible - expected["visible"]).max() < 1e-6 * scale
    assert np.abs(result.h - expected["h"]).max() < 1e-6 * np.abs(expected["h"]).max()
    assert np.abs(result.visible - cues).max() > 1e-3  # the dynamics moved


def test_table4_rows_and_files(tmp_path):
    images, labels = digits(40)
    classifier = Nearest(images, labels)
    rows, draw_rows, examples = table4(
        images, labels, classifier, n_memories=4, n_draws=2, backend="cython",
        models=("A(ii)", "B"), durations={"A(ii)": 5 * ms, "B": 5 * ms})
    assert [(row["model"], row["cue"]) for row in rows] == [
        ("A(ii)", "clean"), ("B", "clean"), ("A(ii)", "occluded"), ("B", "occluded")]
    assert len(draw_rows) == 8
    for row in rows:
        assert 0 <= row["recall_performance"] <= 1 and row["n_draws"] == 2
        assert row["n_hidden"] == row["n_memories"] == 4
    paths = write_table4(tmp_path, rows, draw_rows, examples)
    with open(paths[0]) as stream:
        header = next(csv.reader(stream))
    required = ["model", "f", "g", "n_hidden", "n_memories", "recall_performance"]
    assert header[:6] == required and tuple(header) == TABLE4_COLUMNS
    with open(paths[1]) as stream:
        assert tuple(next(csv.reader(stream))) == DRAW_COLUMNS
    assert (tmp_path / "table4.png").stat().st_size > 1000
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp")]


def test_table4_refuses_bad_input_before_recalling():
    images, labels = digits(10)
    with pytest.raises(BioamError, match="784"):
        table4(images[:, :100], labels, None)
    with pytest.raises(BioamError, match="unknown model"):
        table4(images, labels, None, models=("D",))
    with pytest.raises(BioamError, match="n_draws"):
        table4(images, labels, None, n_draws=0)


@pytest.mark.parametrize("arguments, message", [
    (["--n-memories", "0"], "--n-memories must be at least 1"),
    (["--n-draws", "-1"], "--n-draws must be at least 1"),
    (["--beta", "0"], "--beta must be a positive number"),
    (["--backend", "fortran"], "backend"),
    (["--n-memories", "1000000"], "exceeds"),
])
def test_cli_refuses_bad_options_with_one_line(arguments, message, tmp_path, capsys):
    assert main(["baselines", "--out", str(tmp_path / "out")] + arguments) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1 and error.startswith("bioam: error:")


def test_cli_refuses_an_unwritable_folder_before_any_work(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["baselines", "--out", str(blocker / "out")]) == 2
    error = capsys.readouterr().err
    assert "output folder" in error and error.count("\n") == 1
