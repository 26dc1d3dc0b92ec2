"""Hebbian networks in Brian2: online learning equals the offline weights, recall equals NumPy."""

import numpy as np
import pytest
from brian2 import ms

from bioam import BioamError
from bioam.hebbian.network import learn_online, recall_hebbian
from bioam.hebbian.retrieval import (hypercolumn_update, k_winners_update, rate_dynamics,
                                     sign_update, threshold_update)
from bioam.hebbian.rules import RULES, get_rule, offline_weights

SLOW = pytest.mark.slow


def _patterns(rule_name, seed=0, n_patterns=12, n_units=24):
    """+-1 patterns for the rules of dense codes, sparse 0/1 ones (activity 0.25) otherwise."""
    rng = np.random.default_rng([seed, n_units])
    if rule_name in ("willshaw", "bcpnn", "covariance"):
        return (rng.random((n_patterns, n_units)) < 0.25).astype(float)
    return rng.choice([-1.0, 1.0], size=(n_patterns, n_units))


def _rule(rule_name):
    if rule_name in ("covariance", "presynaptic_covariance"):
        mean = 0.25 if rule_name == "covariance" else 0.0
        return get_rule(rule_name, mean_activity=mean)
    return get_rule(rule_name)


BACKENDS = ["numpy", pytest.param("cython", marks=SLOW), pytest.param("cpp_standalone", marks=SLOW)]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("rule_name", sorted(RULES))
def test_online_learning_in_brian2_equals_the_offline_weights(rule_name, backend, tmp_path):
    patterns = _patterns(rule_name)
    rule = _rule(rule_name)
    weights, bias = learn_online(patterns, rule, backend=backend,
                                 directory=str(tmp_path / "project"))
    expected, expected_bias = offline_weights(patterns, rule, return_bias=True)
    assert np.max(np.abs(weights - expected)) < 1e-9
    assert np.max(np.abs(bias - expected_bias)) < 1e-9
    assert np.any(expected != 0)


def test_online_learning_on_cpp_standalone_with_hypercolumns(tmp_path):
    """BCPNN with 4 hypercolumns of 6 units: no synapses within a hypercolumn, as offline."""
    patterns = np.zeros((10, 24))
    rng = np.random.default_rng(3)
    for row in patterns:  # one active unit per hypercolumn
        row[np.arange(4) * 6 + rng.integers(0, 6, 4)] = 1
    weights, bias = learn_online(patterns, get_rule("bcpnn"), backend="cpp_standalone",
                                 hypercolumn_size=6, directory=str(tmp_path / "project"))
    expected, expected_bias = offline_weights(patterns, get_rule("bcpnn"), hypercolumn_size=6,
                                              return_bias=True)
    assert np.max(np.abs(weights - expected)) < 1e-9
    assert np.max(np.abs(bias - expected_bias)) < 1e-9
    assert np.all(weights[:6, :6] == 0)


def _steps(update_one, cues, steps):
    states = cues
    for _ in range(steps):
        states = update_one(states)
    return states


def _recall_case(update, seed=1):
    """Weights, cues, options and the NumPy reference of one step, for an update rule."""
    rng = np.random.default_rng(seed)
    if update == "sign":
        patterns = rng.choice([-1.0, 1.0], size=(5, 40))
        weights = offline_weights(patterns, get_rule("hebb"))
        cues = patterns * np.where(rng.random(patterns.shape) < 0.15, -1, 1)
        return weights, cues, {}, lambda x: sign_update(weights, x)
    patterns = (rng.random((6, 40)) < 0.2).astype(float)
    cues = patterns * (rng.random(patterns.shape) < 0.7)  # units of the pattern dropped
    if update == "threshold":
        weights = offline_weights(patterns, get_rule("willshaw"))
        return weights, cues, {}, lambda x: threshold_update(weights, x)
    if update == "k_winners":
        weights = offline_weights(patterns, get_rule("covariance", mean_activity=0.2))
        return weights, cues, {"k": 8}, lambda x: k_winners_update(weights, x, 8)
    # hypercolumns of 5 units, one active unit each
    patterns = np.zeros((6, 40))
    for row in patterns:
        row[np.arange(8) * 5 + rng.integers(0, 5, 8)] = 1
    weights, bias = offline_weights(patterns, get_rule("bcpnn"), hypercolumn_size=5,
                                    return_bias=True)
    cues = patterns.copy()
    cues[:, :10] = 0
    cues[:, [0, 5]] = 1  # two hypercolumns start on the wrong unit
    return (weights, cues, {"hypercolumn_size": 5, "bias": bias},
            lambda x: hypercolumn_update(weights, x, 5, bias=bias))


@pytest.mark.parametrize("backend", ["numpy", pytest.param("cpp_standalone", marks=SLOW)])
@pytest.mark.parametrize("update", ["sign", "threshold", "k_winners", "hypercolumn"])
def test_recall_in_brian2_equals_the_numpy_update(update, backend, tmp_path):
    weights, cues, options, one_step = _recall_case(update)
    for steps in (1, 4):
        result = recall_hebbian(weights, cues, update=update, steps=steps, backend=backend,
                                directory=str(tmp_path / f"project{steps}"), **options)
        np.testing.assert_array_equal(result, _steps(one_step, cues, steps))
    assert not np.array_equal(_steps(one_step, cues, 1), cues)  # the update does something


def test_rate_units_follow_the_euler_reference():
    rng = np.random.default_rng(2)
    patterns = rng.choice([-1.0, 1.0], size=(3, 30))
    weights = offline_weights(patterns, get_rule("hebb")) / 30
    cues = patterns + 0.8 * rng.standard_normal(patterns.shape)
    result = recall_hebbian(weights, cues, update="rate", steps=40, tau=10 * ms, dt=1 * ms)
    expected = rate_dynamics(weights, cues, tau=10 * ms, dt=1 * ms, duration=40 * ms)
    assert np.max(np.abs(result - expected)) < 1e-12
    assert np.max(np.abs(result - cues)) > 0.1


def test_bad_input_is_refused_with_one_line():
    patterns = _patterns("hebb")
    weights = offline_weights(patterns, get_rule("hebb"))
    for call, message in [
            (lambda: learn_online(patterns * 0.5, get_rule("hebb")), "only -1/"),
            (lambda: learn_online(patterns, get_rule("bcpnn")), "0/1"),
            (lambda: learn_online(patterns, "hebb"), "HebbianRule"),
            (lambda: recall_hebbian(weights, patterns, update="fast"), "unknown update"),
            (lambda: recall_hebbian(weights, patterns, update="k_winners"), "needs k"),
            (lambda: recall_hebbian(weights, patterns, steps=0), "steps"),
            (lambda: recall_hebbian(weights, patterns[:, :5]), "shape")]:
        with pytest.raises(BioamError, match=message):
            call()


def test_cli_writes_the_capacity_table_beside_theory(tmp_path, capsys):
    import csv

    from bioam.cli import main
    from bioam.hebbian.experiment import CAPACITY_COLUMNS

    out = tmp_path / "hebbian"
    assert main(["hebbian", "--rules", "hebb", "willshaw", "--patterns", "sparse", "--units",
                 "60", "120", "--activity", "0.1", "--n-draws", "5", "--out", str(out),
                 "--quiet"]) == 0
    with open(out / "capacity.csv") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == CAPACITY_COLUMNS
    assert [(row["rule"], row["units"]) for row in rows] == [
        ("hebb", "60"), ("hebb", "120"), ("willshaw", "60"), ("willshaw", "120")]
    assert all(row["brian2_agrees"] == "True" for row in rows)  # Brian2 numpy = reference
    assert all(int(row["capacity"]) >= 1 for row in rows)
    assert (out / "capacity.png").stat().st_size > 10_000
    # the activity product rule on +-1 patterns: measured beside the finite-D prediction
    assert main(["hebbian", "--rules", "hebb", "--units", "200", "--n-draws", "11",
                 "--backend", "none", "--out", str(tmp_path / "random"), "--quiet"]) == 0
    with open(tmp_path / "random" / "capacity.csv") as f:
        row = next(csv.DictReader(f))
    assert abs(int(row["capacity"]) - 18) <= 2 and float(row["classical"]) == 17
    capsys.readouterr()
    for argv, message in [(["--rules", "hopfield"], "unknown Hebbian rule"),
                          (["--rules", "willshaw"], "need 0/1 patterns"),
                          (["--delta", "0.7"], "--delta must be in"),
                          (["--epsilon", "0"], "--epsilon must be in"),
                          (["--units", "1"], "--units must be in"),
                          (["--backend", "fortran"], "backend")]:
        assert main(["hebbian", "--out", str(tmp_path / "bad")] + argv) == 2
        error = capsys.readouterr().err.strip()
        assert message in error and "\n" not in error, error


def test_capacity_of_a_given_pool_of_patterns():
    """Given patterns (a pool) are stored as the random ones are; correlated ones are not."""
    from bioam.hebbian.capacity import capacity, random_patterns

    pool = random_patterns(300, 100, seed=5)
    given = capacity("hebb", 100, pool=pool, n_draws=11)
    assert 8 <= given.capacity <= 12  # the finite-D prediction at D = 100 is 10
    # a correlated pool: every pattern shares 80 of its 100 units with a common prototype
    rng = np.random.default_rng(6)
    prototype = rng.choice([-1.0, 1.0], 100)
    correlated = np.tile(prototype, (300, 1))
    correlated[:, 80:] = rng.choice([-1.0, 1.0], (300, 20))
    assert capacity("hebb", 100, pool=correlated, n_draws=11).capacity <= 2
    with pytest.raises(BioamError, match="give units = 100"):
        capacity("hebb", 50, pool=pool)
    with pytest.raises(BioamError, match="use patterns='sparse'"):
        capacity("hebb", 100, pool=(pool > 0).astype(float))


def test_cli_stores_few_binarised_mnist_images(tmp_path, capsys):
    """MNIST images are a correlated set: the activity product rule stores a handful."""
    import csv

    from bioam.cli import main

    out = tmp_path / "mnist"
    assert main(["hebbian", "--patterns", "mnist", "--rules", "hebb", "--n-draws", "3",
                 "--backend", "none", "--out", str(out), "--quiet"]) == 0
    with open(out / "capacity.csv") as f:
        row = next(csv.DictReader(f))
    assert (row["patterns"], row["units"], row["theory"]) == ("mnist", "784", "nan")
    assert 1 <= int(row["capacity"]) <= 5  # random +-1 patterns: 47 at D = 784 (theory)
    capsys.readouterr()
    assert main(["hebbian", "--patterns", "mnist", "--units", "100", "--out", str(out)]) == 2
    assert "784 units" in capsys.readouterr().err


@pytest.mark.parametrize("backend", ["numpy", pytest.param("cpp_standalone", marks=SLOW)])
def test_correlation_matrix_memory_single_pass_is_eq_2(backend, tmp_path):
    """Paper 003, Example 1.1.1: T(x) = sgn(Xi^T Xi x), the diagonal included (Eq. 2 = Eq. 7)."""
    rng = np.random.default_rng(8)
    patterns = rng.choice([-1.0, 1.0], size=(6, 50))
    cues = patterns * np.where(rng.random(patterns.shape) < 0.2, -1, 1)
    weights = patterns.T @ patterns  # Xi^T Xi, written out: no bioam code
    result = recall_hebbian(weights, cues, steps=1, self_connections=True, backend=backend,
                            directory=str(tmp_path / "project"))
    field = cues @ weights.T
    expected = np.where(field > 0, 1.0, np.where(field < 0, -1.0, cues))
    np.testing.assert_array_equal(result, expected)
    # without the diagonal (the classical network) the single pass differs for some cue
    classical = recall_hebbian(weights, cues, steps=1, backend=backend,
                               directory=str(tmp_path / "project2"))
    without = cues @ (weights - np.diag(np.diag(weights))).T
    np.testing.assert_array_equal(
        classical, np.where(without > 0, 1.0, np.where(without < 0, -1.0, cues)))
    assert not np.array_equal(classical, result)


def test_threshold_network_stores_few_given_patterns_and_not_many():
    """The Eq. 17 network trained on given +-1 patterns: the criterion passes and can fail."""
    from bioam.hebbian.capacity import random_patterns
    from bioam.hebbian.comparison import threshold_network_stores

    assert np.all(threshold_network_stores(random_patterns(2, 16, seed=1), 8))
    # 30 patterns of 16 units in 8 hidden neurons: far beyond what 8 binary codes can decode
    assert np.mean(threshold_network_stores(random_patterns(30, 16, seed=1), 8)) < 0.5
    with pytest.raises(BioamError, match="\\+-1"):
        threshold_network_stores(np.zeros((2, 16)), 8)


@pytest.mark.parametrize("backend", ["numpy", pytest.param("cpp_standalone", marks=SLOW)])
def test_trace_based_bcpnn_in_brian2_equals_the_numpy_fold(backend, tmp_path):
    """Decaying traces (order-dependent): Brian2 and NumPy in the same order, and order matters."""
    from bioam.hebbian.network import learn_online_bcpnn_traces
    from bioam.hebbian.rules import bcpnn_trace_weights

    patterns = _patterns("bcpnn", seed=4)
    weights, bias = learn_online_bcpnn_traces(patterns, trace_rate=0.2, backend=backend,
                                              directory=str(tmp_path / "project"))
    expected, expected_bias = bcpnn_trace_weights(patterns, trace_rate=0.2)
    assert np.max(np.abs(weights - expected)) < 1e-9
    assert np.max(np.abs(bias - expected_bias)) < 1e-9
    # an independent check of one weight: the traces written out for units 0 and 1
    p0 = p1 = 0.05
    p01 = 0.05 ** 2
    for x in patterns:
        p0, p1, p01 = p0 + 0.2 * (x[0] - p0), p1 + 0.2 * (x[1] - p1), p01 + 0.2 * (x[0] * x[1] - p01)
    assert expected[1, 0] == pytest.approx(np.log(max(p01, 1e-8) / (max(p0, 1e-4) * max(p1, 1e-4))))
    reversed_weights, _ = bcpnn_trace_weights(patterns[::-1], trace_rate=0.2)
    assert np.max(np.abs(reversed_weights - expected)) > 0.1  # a palimpsest: order matters
