"""The paper's claims (Section 2, Figure 1, Eq. 7, 10, 15, 38, 40) checked by simulation."""

import numpy as np
import pytest
from brian2 import ms

from bioam import fixed_point_hidden_state, reference_recall
from bioam.capacity import binary_patterns, capacity_experiment
from bioam.theory import basin_ratio, no_bit_flip_bound, no_bit_flip_probability

TIMING = dict(tau_v=20 * ms, tau_h=1 * ms, dt=0.1 * ms, duration=60 * ms)


def recalled_fraction(n_hidden, theta=0.5, noise=0.0, ratio=100, seed=0, max_patterns=None):
    rng = np.random.default_rng([seed, n_hidden])
    n_visible = ratio * n_hidden
    xi = rng.standard_normal((n_visible, n_hidden))
    patterns = binary_patterns(n_hidden, max_patterns, rng)
    cues = patterns @ xi.T / np.sqrt(n_hidden) + noise * rng.standard_normal((len(patterns), n_visible))
    result = reference_recall(xi, cues, theta=theta, **TIMING)
    return np.mean(np.all(result["hidden"] == patterns, axis=1))


def test_coupling_matrix_statistics_eq7():
    # J = xi^T xi / N_v = I + zeta / sqrt(N_v), Var(zeta) = 1 + delta (Eq. 7)
    rng = np.random.default_rng(1)
    n_visible, n_hidden, repeats = 2000, 10, 200
    zeta_diag, zeta_off = [], []
    for _ in range(repeats):
        xi = rng.standard_normal((n_visible, n_hidden))
        zeta = (xi.T @ xi / n_visible - np.eye(n_hidden)) * np.sqrt(n_visible)
        zeta_diag.append(np.diag(zeta))
        zeta_off.append(zeta[~np.eye(n_hidden, dtype=bool)])
    assert np.var(np.concatenate(zeta_diag)) == pytest.approx(2.0, rel=0.1)
    assert np.var(np.concatenate(zeta_off)) == pytest.approx(1.0, rel=0.1)


def test_all_patterns_are_fixed_points_eq5():
    # N_v >> N_h: every binary pattern satisfies Eq. 5 (Figure 1a, theta = 0.5)
    for n_hidden in range(2, 11):
        rng = np.random.default_rng([0, n_hidden])
        xi = rng.standard_normal((100 * n_hidden, n_hidden))
        is_fixed, margin = fixed_point_hidden_state(xi, binary_patterns(n_hidden))
        assert is_fixed.all(), n_hidden
        assert margin.min() > 0.05


@pytest.mark.parametrize("n_hidden", range(2, 9))
def test_dynamics_recall_every_pattern_at_optimal_threshold(n_hidden):
    # Figure 1a: with N_v = 100 N_h, tau_v = 20 tau_h, theta = 0.5, all 2^N_h recalled
    assert recalled_fraction(n_hidden) == 1.0


def test_threshold_far_from_half_loses_patterns():
    # Figure 1a: capacity falls when theta moves away from 1/2
    assert recalled_fraction(8, theta=0.5) == 1.0
    assert recalled_fraction(8, theta=0.9) < 0.5
    assert recalled_fraction(8, theta=0.1) < 0.9


def test_noise_inside_and_outside_the_basin_eq15():
    n_hidden, ratio = 8, 100
    inside, outside = 1.0, 30.0  # sigma_v^2 N_h / N_v = 0.01 and 9
    assert basin_ratio(n_hidden, ratio * n_hidden, inside) < 0.05
    assert basin_ratio(n_hidden, ratio * n_hidden, outside) > 5
    assert recalled_fraction(n_hidden, noise=inside) >= 0.98
    assert recalled_fraction(n_hidden, noise=outside) <= 0.05


@pytest.mark.parametrize("noise", [0.0, 2.0, 3.0])
def test_measured_recall_respects_the_no_bit_flip_bound_eq40(noise):
    # Eq. 40 (and the tighter Eq. 38) bound P(no bit flip) from below
    n_hidden = 8
    measured = recalled_fraction(n_hidden, noise=noise, seed=3)
    standard_error = np.sqrt(0.25 / 2**n_hidden)
    assert measured >= no_bit_flip_bound(n_hidden, 100 * n_hidden, noise) - 3 * standard_error
    assert measured >= no_bit_flip_probability(n_hidden, 100 * n_hidden, noise) - 3 * standard_error


def test_bound_eq10_approaches_one_exponentially():
    values = [no_bit_flip_bound(10, n_visible) for n_visible in (100, 300, 1000)]
    assert values[0] < values[1] < values[2]
    assert 1 - values[2] < 1e-4


def test_fixed_points_are_stable_appendix_a2():
    # starting exactly at a fixed point (v*, h*), the state does not move
    rng = np.random.default_rng(5)
    n_hidden = 6
    xi = rng.standard_normal((600, n_hidden))
    patterns = binary_patterns(n_hidden)
    v_star = patterns @ xi.T / np.sqrt(n_hidden)
    h_star = v_star @ xi * np.sqrt(n_hidden) / 600
    result = reference_recall(xi, v_star, initial_hidden=h_star, **TIMING)
    np.testing.assert_allclose(result["visible"], v_star, atol=1e-12)
    np.testing.assert_array_equal(result["hidden"], patterns)


def test_capacity_experiment_on_brian2_matches_figure_1a():
    rows = capacity_experiment([2, 3, 4, 5], thetas=[0.5, 0.95], noises=[0.0],
                               backend="numpy", progress=False)
    by_theta = {theta: [r for r in rows if r["theta"] == theta] for theta in (0.5, 0.95)}
    assert all(r["n_recalled"] == r["n_patterns"] == 2 ** r["nh"] for r in by_theta[0.5])
    assert sum(r["n_recalled"] for r in by_theta[0.95]) < sum(r["n_patterns"] for r in by_theta[0.95]) / 2


@pytest.mark.slow
def test_capacity_up_to_ten_hidden_neurons_cpp_standalone():
    # the whole of Figure 1a's theta = 0.5 curve, N_h = 2 .. 10, on compiled C++
    rows = capacity_experiment(list(range(2, 11)), thetas=[0.5], noises=[0.0],
                               backend="cpp_standalone", progress=False)
    for row in rows:
        assert row["n_recalled"] == row["n_patterns"] == 2 ** row["nh"], row


def test_sigmoid_capacity_is_counted_on_binarised_states():
    # sigmoid hidden units end at graded values sigma(beta (h - theta)); a pattern is recalled
    # when the binarised state Theta(h - theta) equals it, as the NumPy reference's h says
    rows = capacity_experiment([3], thetas=[0.5], noises=[0.0, 3.0], activation="sigmoid",
                               backend="numpy", progress=False, **TIMING)
    rng = np.random.default_rng([0, 3])
    xi = rng.standard_normal((300, 3))
    patterns = binary_patterns(3, None, rng)
    clean = patterns @ xi.T / np.sqrt(3)
    for row in rows:
        noise_rng = np.random.default_rng([0, 3, int(round(row["noise"] * 1e6))])
        cues = clean + row["noise"] * noise_rng.standard_normal(clean.shape)
        reference = reference_recall(xi, cues, theta=0.5, activation="sigmoid", **TIMING)
        expected = int(np.all((reference["h"] > 0.5) == patterns, axis=1).sum())
        assert row["n_recalled"] == expected, row
    assert rows[0]["n_recalled"] == 8      # noise-free: every pattern (it was 0/8 before)
