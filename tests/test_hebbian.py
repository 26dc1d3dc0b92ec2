"""The NumPy core of Hebbian associative memories (papers 003 and 004), checked independently."""

import numpy as np
import pytest
from brian2 import ms
from scipy.special import ndtr

from bioam.hebbian import (HebbianRule, activity_product, bcpnn, bcpnn_from_counts, capacity,
                           covariance, critical_capacity, field_statistics, get_rule,
                           hebb_exact_retrieval_capacity, hypercolumn_update, iterate,
                           k_winners_update, mceliece_capacity, offline_weights, perturb,
                           presynaptic_covariance, random_patterns, rate_dynamics, retrievable,
                           sign_update, threshold_update, weight_change, willshaw)
from bioam.validation import BioamError

#: Exact-retrieval capacity of the activity product rule (half of the random
#: pattern sets have every pattern as a fixed point), measured outside the project.
MEASURED_HEBB_CAPACITY = {100: 11, 200: 18, 400: 29, 1000: 59}


def bipolar(rng, n_patterns, units):
    return rng.choice([-1.0, 1.0], size=(n_patterns, units))


def binary(rng, n_patterns, units, activity):
    return (rng.random((n_patterns, units)) < activity).astype(float)


# ---------------------------------------------------------------- rules


def test_hebb_weights_match_double_loop(rng):
    X = bipolar(rng, 5, 12)
    expected = np.zeros((12, 12))
    for i in range(12):
        for j in range(12):
            if i != j:
                expected[i, j] = sum(X[mu, i] * X[mu, j] for mu in range(5))
    np.testing.assert_array_equal(offline_weights(X, activity_product()), expected)
    # Hopfield's normalisation, W = Xi^T Xi / D with a zero diagonal
    hopfield = X.T @ X / 12
    np.fill_diagonal(hopfield, 0)
    np.testing.assert_allclose(offline_weights(X, activity_product(rate=1 / 12)), hopfield)


def test_covariance_rules_match_explicit_sums(rng):
    a = 0.2
    X = binary(rng, 7, 9, a)
    cov = np.zeros((9, 9))
    pre_cov = np.zeros((9, 9))
    for i in range(9):          # postsynaptic
        for j in range(9):      # presynaptic
            if i != j:
                cov[i, j] = sum((X[mu, i] - a) * (X[mu, j] - a) for mu in range(7))
                pre_cov[i, j] = sum(X[mu, i] * (X[mu, j] - a) for mu in range(7))
    np.testing.assert_allclose(offline_weights(X, covariance(a)), cov, atol=1e-12)
    np.testing.assert_allclose(offline_weights(X, presynaptic_covariance(a)), pre_cov, atol=1e-12)
    assert not np.allclose(pre_cov, pre_cov.T)    # rows are postsynaptic: the rule is asymmetric


def test_willshaw_weights_are_any_coactivation(rng):
    X = binary(rng, 6, 15, 0.3)
    W = offline_weights(X, willshaw())
    for i in range(15):
        for j in range(15):
            together = any(X[mu, i] == 1 and X[mu, j] == 1 for mu in range(6))
            assert W[i, j] == (1.0 if together and i != j else 0.0)


@pytest.mark.parametrize("regulariser", [None, 0.01])
def test_bcpnn_weights_match_probability_formula(rng, regulariser):
    X = binary(rng, 8, 10, 0.3)
    n = 8
    eps = 1 / (n + 1) if regulariser is None else regulariser
    p = [max(X[:, i].mean(), eps) for i in range(10)]
    expected = np.zeros((10, 10))
    for i in range(10):
        for j in range(10):
            if i != j:
                p_ij = max(np.mean(X[:, i] * X[:, j]), eps**2)
                expected[i, j] = np.log(p_ij / (p[i] * p[j]))
    W, bias = offline_weights(X, bcpnn(regulariser), return_bias=True)
    np.testing.assert_allclose(W, expected, rtol=1e-12)
    np.testing.assert_allclose(bias, np.log(p), rtol=1e-12)


def fold(patterns, rule, units):
    W = np.zeros((units, units))
    for x in patterns:
        W = W + weight_change(W, x, x, rule)
    return W


@pytest.mark.parametrize("rule, kind", [
    (activity_product(), "bipolar"), (activity_product(0.1), "binary"),
    (covariance(0.3), "binary"), (covariance(0.0), "bipolar"),
    (presynaptic_covariance(0.3), "binary"), (willshaw(), "binary"),
])
def test_folded_weight_changes_equal_offline_weights(rng, rule, kind):
    X = bipolar(rng, 9, 11) if kind == "bipolar" else binary(rng, 9, 11, 0.3)
    W = fold(X, rule, 11)
    np.fill_diagonal(W, 0)
    np.testing.assert_allclose(W, offline_weights(X, rule), atol=1e-12)


def test_folded_bcpnn_counts_equal_offline_weights(rng):
    X = binary(rng, 9, 12, 0.25)
    counts = fold(X, bcpnn(), 12)
    np.testing.assert_array_equal(np.diag(counts), X.sum(axis=0))
    W, bias = bcpnn_from_counts(counts, len(X))
    W_offline, bias_offline = offline_weights(X, bcpnn(), return_bias=True)
    np.testing.assert_allclose(W, W_offline)
    np.testing.assert_allclose(bias, bias_offline)


def test_willshaw_update_clips_at_one():
    x = np.array([1.0, 1.0, 0.0])
    W = fold([x, x, x], willshaw(), 3)
    np.testing.assert_array_equal(W, np.outer(x, x))
    unclipped = fold([x, x, x], activity_product(), 3)
    assert unclipped[0, 1] == 3.0


# ---------------------------------------------------------------- retrieval


def test_sign_of_zero_keeps_the_previous_state(rng):
    W = rng.integers(-1, 2, size=(6, 6)).astype(float)
    states = bipolar(rng, 400, 6)
    updated = sign_update(W, states)
    ties = {1.0: 0, -1.0: 0}
    for state, new in zip(states, updated):
        for i in range(6):
            field = sum(W[i, j] * state[j] for j in range(6))
            if field == 0:
                ties[state[i]] += 1
                assert new[i] == state[i]
            else:
                assert new[i] == (1.0 if field > 0 else -1.0)
    assert ties[1.0] > 0 and ties[-1.0] > 0      # both directions were tested


def test_integer_hebb_ties_keep_the_cue():
    # one pattern (1, 1, -1, -1, 1) stored; from (1, -1, 1, 1, 1) unit 1 gets field 0
    W = offline_weights([[1, 1, -1, -1, 1]], activity_product())
    x = np.array([1.0, -1.0, 1.0, 1.0, 1.0])
    field = W @ x
    assert field[1] == 0
    assert sign_update(W, x)[1] == -1.0


def test_iterate_reports_fixed_points_cycles_and_running_out():
    W = -(np.ones((3, 3)) - np.eye(3))
    result = iterate(W, [[1, 1, 1], [1, -1, -1]])
    np.testing.assert_array_equal(result.cycle, [True, False])
    np.testing.assert_array_equal(result.fixed_point, [False, True])
    # a rotation (unit i copies unit i - 1) has period 3: no fixed point, no two-cycle
    rotation = np.roll(np.eye(3), 1, axis=0)
    result = iterate(rotation, [1, -1, -1], max_steps=7)
    assert not result.fixed_point[0] and not result.cycle[0] and result.steps[0] == 7
    np.testing.assert_array_equal(result.state[0], np.roll([1, -1, -1], 7))


def test_one_pattern_is_retrieved_and_overload_is_not():
    X = random_patterns(1, 64, seed=3)
    W = offline_weights(X, activity_product())
    cues = perturb(X, 0.3, n_trials=50, seed=1)
    assert np.all((cues != X).sum(axis=2) == 19)
    result = retrievable(W, X, delta=0.3, epsilon=0.05, n_trials=50)
    assert result.retrievable and result.failure_fraction[0] == 0
    # zero failures in 50 trials: the 95 % Clopper-Pearson bound is 1 - 0.05^(1/50)
    assert result.upper_bound[0] == pytest.approx(1 - 0.05 ** (1 / 50), rel=1e-9)
    assert result.confident is (1 - 0.05 ** (1 / 50) < 0.05)
    X = random_patterns(64, 64, seed=3)
    W = offline_weights(X, activity_product())
    overloaded = retrievable(W, X, delta=0.0, epsilon=0.05)
    stable = np.all(np.where(W @ X.T == 0, X.T, np.sign(W @ X.T)) == X.T, axis=0)
    assert not overloaded.retrievable and stable.sum() < 32
    np.testing.assert_array_equal(overloaded.failure_fraction, ~stable)


def test_k_winners_match_a_sort(rng):
    W = rng.integers(-3, 4, size=(12, 12)).astype(float)     # integers: exact ties
    x = binary(rng, 30, 12, 0.4)
    for k in (1, 3, 6):
        result = k_winners_update(W, x, k)
        for state, new in zip(x, result):
            field = W @ state
            kth = sorted(field, reverse=True)[k - 1]
            np.testing.assert_array_equal(new, [1.0 if f >= kth else 0.0 for f in field])


def test_threshold_update_matches_explicit_rule(rng):
    W = rng.integers(0, 2, size=(10, 10)).astype(float)
    x = binary(rng, 20, 10, 0.4)
    result = threshold_update(W, x)
    for state, new in zip(x, result):
        for i in range(10):
            others = state.sum() - state[i]
            assert new[i] == float(W[i] @ state >= others)
    np.testing.assert_array_equal(threshold_update(W, x, threshold=2.0),
                                  (x @ W.T >= 2).astype(float))


def test_willshaw_completes_half_cues(rng):
    X = random_patterns(20, 200, "sparse", activity=0.05, seed=5)
    W = offline_weights(X, willshaw())
    cues = X.copy()
    for cue in cues:
        cue[np.flatnonzero(cue)[:5]] = 0          # keep 5 of the 10 active units
    result = iterate(W, cues, update="threshold")
    np.testing.assert_array_equal(result.state, X)
    assert result.fixed_point.all()


def modular_patterns(rng, n_patterns, hypercolumns, size):
    X = np.zeros((n_patterns, hypercolumns * size))
    winners = rng.integers(0, size, size=(n_patterns, hypercolumns))
    for mu in range(n_patterns):
        X[mu, np.arange(hypercolumns) * size + winners[mu]] = 1
    return X


def test_hypercolumn_update_matches_explicit_argmax(rng):
    W = rng.integers(-2, 3, size=(12, 12)).astype(float)
    bias = rng.integers(-1, 2, size=12).astype(float)
    x = modular_patterns(rng, 15, 4, 3)
    result = hypercolumn_update(W, x, hypercolumn_size=3, bias=bias)
    for state, new in zip(x, result):
        support = W @ state + bias
        for h in range(4):
            block = list(support[3 * h:3 * h + 3])
            winner = block.index(max(block))             # first of the tied maxima
            np.testing.assert_array_equal(new[3 * h:3 * h + 3], np.eye(3)[winner])


def test_bcpnn_recalls_modular_patterns(rng):
    hypercolumns, size = 10, 10
    X = modular_patterns(rng, 10, hypercolumns, size)
    W, bias = offline_weights(X, bcpnn(), hypercolumn_size=size, return_bias=True)
    assert np.all(W[:size, :size] == 0)
    cues = X.copy()
    for cue in cues:                                    # move the winner of 3 hypercolumns
        for h in rng.choice(hypercolumns, 3, replace=False):
            block = cue[h * size:(h + 1) * size]
            block[:] = np.roll(block, 1 + rng.integers(size - 1))
    assert np.all((cues != X).sum(axis=1) == 6)
    result = iterate(W, cues, update="hypercolumn", bias=bias, hypercolumn_size=size)
    np.testing.assert_array_equal(result.state, X)


def test_rate_dynamics_follow_the_euler_recursion():
    g_b = np.tanh(0.5)
    x0 = np.array([1.0, -1.0, 0.2])
    n, ratio = 30, 0.1
    final, (times, path) = rate_dynamics(np.zeros((3, 3)), x0, tau=10 * ms, dt=1 * ms,
                                         duration=30 * ms, bias=0.5, return_trajectory=True)
    np.testing.assert_allclose(final, g_b + (x0 - g_b) * (1 - ratio) ** n, rtol=1e-12)
    assert path.shape == (n + 1, 3) and times[-1] == pytest.approx(0.03)
    np.testing.assert_array_equal(path[0], x0)


def test_rate_dynamics_recall_a_stored_pattern():
    X = random_patterns(1, 50, seed=2)
    W = offline_weights(X, activity_product(rate=3 / 50))
    cue = perturb(X, 0.2, seed=0)[0, 0]
    final = rate_dynamics(W, cue, tau=0.01, dt=0.001, duration=0.2)
    np.testing.assert_array_equal(np.sign(final), X[0])
    assert np.all(np.abs(final) > 0.9)


# ---------------------------------------------------------------- capacity and theory


@pytest.mark.parametrize("units", [100, 200])
def test_hebb_exact_capacity_matches_theory(units):
    result = capacity("hebb", units, delta=0.0, epsilon=0.05, n_draws=51, seed=0)
    assert not result.capped
    assert result.capacity == pytest.approx(hebb_exact_retrieval_capacity(units), rel=0.1)
    assert result.capacity == pytest.approx(MEASURED_HEBB_CAPACITY[units], rel=0.1)


def test_theory_exact_capacity_matches_measurements():
    for units, measured in MEASURED_HEBB_CAPACITY.items():
        assert hebb_exact_retrieval_capacity(units) == pytest.approx(measured, rel=0.1)


def test_hebb_bit_error_capacity_near_critical_load():
    # iterated dynamics from the patterns, at most 1.5 % wrong bits: 0.138 D
    result = capacity("hebb", 200, criterion="bit_error", max_bit_error=0.015, n_draws=11,
                      seed=0)
    assert result.capacity == pytest.approx(critical_capacity(200), rel=0.1)


def test_exact_capacity_approaches_mceliece_slowly_from_above():
    ratios = [hebb_exact_retrieval_capacity(10**e) / mceliece_capacity(10**e) for e in (3, 5, 7)]
    assert ratios[0] > ratios[1] > ratios[2] > 1.0
    assert ratios[2] < 1.3


@pytest.mark.parametrize("rule, patterns", [
    (activity_product(), "random"),
    (covariance(0.2), "sparse"),
    (HebbianRule("all six", c0=0.3, c1_pre=0.5, c1_post=-0.2, c2_pre=0.1, c2_post=0.4,
                 c2_corr=1.0), "sparse"),
    (HebbianRule("all six", c0=0.3, c1_pre=0.5, c1_post=-0.2, c2_pre=0.1, c2_post=0.4,
                 c2_corr=1.0), "random"),
])
def test_field_statistics_match_simulated_fields(rule, patterns):
    units, n_patterns, activity = 200, 5, 0.2
    rng = np.random.default_rng(7)
    fields = {0: [], 1: []}
    for _ in range(1500):
        if patterns == "random":
            X = bipolar(rng, n_patterns, units)
        else:
            X = binary(rng, n_patterns, units, activity)
        # the field of unit 0 in every stored pattern: one sample per pattern, so that
        # grouping by the unit's value does not select patterns by their other units
        field = X @ offline_weights(X, rule)[0]
        low = X[:, 0] == (0 if patterns == "sparse" else -1)
        fields[0].append(field[low])
        fields[1].append(field[~low])
    stats = field_statistics(rule, units, n_patterns, patterns, activity)
    for index in (0, 1):
        simulated = np.concatenate(fields[index])
        assert np.mean(simulated) == pytest.approx(stats.mean[index], rel=0.03, abs=0.02)
        assert np.std(simulated) == pytest.approx(stats.std[index], rel=0.03)


def test_hebb_field_statistics_give_the_classical_bit_error():
    stats = field_statistics("hebb", 401, 101)
    np.testing.assert_allclose(stats.mean, [-400, 400])
    np.testing.assert_allclose(stats.std, [200, 200])
    from bioam.hebbian import bit_error_probability
    assert bit_error_probability("hebb", 401, 101) == pytest.approx(ndtr(-2.0), rel=1e-9)


def test_sparse_capacity_runs_for_every_rule():
    # BCPNN stores more sparse patterns than the additive Hebb rule (Lansner et al. 2025)
    found = {name: capacity(name, 200, patterns="sparse", activity=0.05, n_draws=3,
                            seed=0).capacity
             for name in ("hebb", "bcpnn")}
    assert found["bcpnn"] > 1.5 * found["hebb"]


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("call, message", [
    (lambda: capacity("hebb", 100, delta=0.5), "delta must be a number in [0, 0.5)"),
    (lambda: capacity("hebb", 100, epsilon=1.0), "epsilon must be a number in (0, 1)"),
    (lambda: capacity("hebb", 100, epsilon=0.0), "epsilon must be a number in (0, 1)"),
    (lambda: capacity("hebb", 20001), "too large: at most 20000"),
    (lambda: capacity("hebb", 15000), "estimated memory"),
    (lambda: capacity("willshaw", 100), "needs 0/1 patterns"),
    (lambda: capacity("oja", 100), "unknown Hebbian rule"),
    (lambda: capacity("hebb", 100, patterns="sparse", activity=0.001), "active units"),
    (lambda: get_rule("covariance"), "does not take"),
    (lambda: covariance(2.0), "mean_activity must be a number in [-1, 1]"),
    (lambda: offline_weights([[1, 2, 0]], activity_product()), "only -1/+1"),
    (lambda: offline_weights([[1, -1, 1]], willshaw()), "Willshaw needs 0/1 patterns"),
    (lambda: sign_update(np.zeros((3, 4)), [1, 1, 1]), "square"),
    (lambda: sign_update(np.zeros((3, 3)), [1, 0, 1]), "+-1 values"),
    (lambda: retrievable(np.zeros((4, 4)), [[1, -1, 1]], 0.1, 0.1), "same network"),
    (lambda: hypercolumn_update(np.zeros((6, 6)), np.zeros(6), 4), "divides"),
    (lambda: rate_dynamics(np.zeros((2, 2)), [0, 0], tau=1 * ms, dt=1 * ms, duration=5 * ms),
     "smaller than tau"),
    (lambda: iterate(np.zeros((2, 2)), [1, 1], update="async"), "update must be one of"),
])
def test_bad_input_is_refused_with_one_line(call, message):
    with pytest.raises(BioamError) as error:
        call()
    assert message in str(error.value)
    assert "\n" not in str(error.value)
