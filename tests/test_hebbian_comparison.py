"""The Hebbian rules against the threshold network of paper 001 on random and MNIST patterns."""

import importlib
from types import SimpleNamespace

import numpy as np
import pytest

import bioam.hebbian.comparison as comparison
from bioam.datasets import data_directory
from bioam.hebbian.capacity import capacity
from bioam.hebbian.rules import get_rule
from bioam.hebbian.comparison import (COMPARISON_COLUMNS, comparison_table, draw_patterns,
                                      mnist_patterns, threshold_network_capacity,
                                      threshold_network_stores)
from bioam.validation import BioamError

# the module (bioam.hebbian.capacity, the attribute, is the function of that name)
capacity_module = importlib.import_module("bioam.hebbian.capacity")
HAVE_MNIST = (data_directory() / "mnist.npz").exists()

#: A short training, enough for a few images (the tests' time, not the experiment's setting).
FAST = dict(comparison.TRAINING, epochs=300)


def _pool(n=40, units=784, seed=3):
    return 2.0 * np.random.default_rng(seed).integers(0, 2, (n, units)) - 1.0


def _independently_stored(xi, theta, hidden, patterns):
    """Eq. 16 memory and Eq. 5 fixed point, written out: stored = fixed and the signs right."""
    n_visible, n_hidden = xi.shape
    visible = hidden @ xi.T / np.sqrt(n_hidden)  # v* = N_h^(-1/2) xi s
    potential = visible @ xi * np.sqrt(n_hidden) / n_visible  # h = N_h^(1/2) / N_v xi^T v*
    fixed = np.all((potential > theta) == (hidden > 0.5), axis=1)
    return fixed & np.all(np.sign(visible) == patterns, axis=1)


def test_mnist_draws_of_both_networks_are_the_same_images(monkeypatch):
    """Same seed: the threshold network's search is given exactly the Hebbian capacity's sets."""
    pool = _pool()
    hebbian, threshold = [], []

    def fake_retrievable(W, X, *args, **kwargs):
        hebbian.append(np.array(X))
        return SimpleNamespace(retrievable=len(X) <= 3)

    def fake_stores(patterns, n_hidden, seed=0, training=None):
        threshold.append(np.array(patterns))
        assert n_hidden == 392 and training is None
        return np.full(len(patterns), len(patterns) <= 3)

    monkeypatch.setattr(capacity_module, "retrievable", fake_retrievable)
    monkeypatch.setattr(comparison, "threshold_network_stores", fake_stores)
    assert capacity("hebb", 784, n_draws=5, seed=7, pool=pool).capacity == 3
    stored, tested = threshold_network_capacity(n_draws=5, seed=7, patterns="mnist", pool=pool)
    assert stored == 3 and tested[4] == (0, 3)
    assert len(hebbian) == len(threshold) > 10
    for mine, theirs in zip(threshold, hebbian):
        np.testing.assert_array_equal(mine, theirs)
    # the sets are subsets of the pool, and another seed draws other images
    assert all(any(np.array_equal(row, image) for image in pool) for row in threshold[-1])
    assert not np.array_equal(draw_patterns(3, 0, seed=7, patterns="mnist", pool=pool),
                              draw_patterns(3, 0, seed=8, patterns="mnist", pool=pool))


def test_random_draws_are_unchanged():
    """The random pattern sets are those of the committed comparison (seed [seed, draw, P])."""
    from bioam.hebbian.capacity import random_patterns

    np.testing.assert_array_equal(draw_patterns(5, 2, 50, seed=0),
                                  random_patterns(5, 50, seed=[0, 2, 5]))


def test_bad_kinds_and_units_are_refused():
    pool = _pool(5)
    with pytest.raises(BioamError, match="patterns must be one of"):
        threshold_network_capacity(50, patterns="sparse")
    with pytest.raises(BioamError, match="patterns must be one of"):
        comparison_table([50], patterns="cifar10")
    with pytest.raises(BioamError, match="784 units"):
        threshold_network_capacity(100, patterns="mnist", pool=pool)
    with pytest.raises(BioamError, match="784 units"):
        comparison_table([100], patterns="mnist", pool=pool)
    with pytest.raises(BioamError, match="patterns='mnist' only"):
        threshold_network_capacity(784, pool=pool)
    with pytest.raises(BioamError, match="need units"):
        threshold_network_capacity()
    with pytest.raises(BioamError, match="does not take \\+-1 patterns"):
        comparison_table([50], rules=["willshaw"])
    with pytest.raises(BioamError, match="\\+-1"):
        threshold_network_capacity(patterns="mnist", pool=np.zeros((3, 784)))


def test_mnist_table_rows(monkeypatch):
    """Every +-1 rule and the threshold network; covariance rules at the images' mean pixel."""
    pool = _pool()
    pool[:, :600] = -1.0  # a background, as MNIST's: mean activity well below 0
    monkeypatch.setattr(comparison, "threshold_network_stores",
                        lambda patterns, n_hidden, seed=0, training=None:
                        np.full(len(patterns), len(patterns) <= 5))
    rows = comparison_table(None, n_draws=3, patterns="mnist", pool=pool, hebbian_draws=3)
    assert [row["network"] for row in rows] == ["hebb", "covariance", "presynaptic_covariance",
                                               "threshold_eq17"]
    assert all(set(row) == set(COMPARISON_COLUMNS) for row in rows)
    assert all(row["patterns"] == "mnist" and row["units"] == 784 for row in rows)
    assert rows[1]["mean_activity"] == rows[2]["mean_activity"] == pytest.approx(np.mean(pool))
    assert rows[1]["mean_activity"] < -0.5
    expected = capacity(get_rule("covariance", mean_activity=float(np.mean(pool))),
                        784, n_draws=3, pool=pool).capacity
    assert rows[1]["capacity"] == expected
    assert rows[3]["capacity"] == 5 and rows[3]["n_hidden"] == 392
    assert rows[3]["synapses"] == 784 * 784 and rows[3]["neurons"] == 784 + 392


def test_mnist_patterns_are_the_binarised_training_images(tmp_path):
    rng = np.random.default_rng(0)
    x_train = rng.integers(0, 256, (6, 28, 28), dtype=np.uint8)
    np.savez(tmp_path / "mnist.npz", x_train=x_train, y_train=np.arange(6),
             x_test=x_train[:2], y_test=np.arange(2))
    patterns = mnist_patterns(data_dir=tmp_path)
    np.testing.assert_array_equal(patterns, np.where(x_train.reshape(6, -1) / 255 > 0.5, 1, -1))


@pytest.mark.skipif(not HAVE_MNIST, reason="needs mnist.npz in the data directory")
def test_threshold_network_stores_two_mnist_images_and_not_twenty_in_four_neurons():
    """The trained network's verdict agrees with a NumPy check of Eq. 5 and 16, both ways."""
    pool = mnist_patterns()
    images = draw_patterns(2, 0, seed=0, patterns="mnist", pool=pool)
    stored, model, hidden = threshold_network_stores(images, 392, training=FAST, details=True)
    assert np.all(stored)
    np.testing.assert_array_equal(
        _independently_stored(model.xi.astype(float), model.theta, hidden, images), stored)
    many = draw_patterns(20, 0, seed=0, patterns="mnist", pool=pool)
    stored, model, hidden = threshold_network_stores(many, 4, training=FAST, details=True)
    assert not np.all(stored)  # 20 images cannot all be decoded from 4 binary units
    np.testing.assert_array_equal(
        _independently_stored(model.xi.astype(float), model.theta, hidden, many), stored)
