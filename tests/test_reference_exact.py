"""
The exact-pieces integrator of `reference_recall` and its low-rank twin `lowrank_recall`.

The independent check is SciPy's ``solve_ivp`` on Eq. (1) with event location
of the threshold crossings; its right-hand side is written here and shares no
code with bioam.
"""

import numpy as np
import pytest
from brian2 import ms
from scipy.integrate import solve_ivp

from bioam import reference as reference_module
from bioam.reference import lowrank_recall, number_of_steps, reference_recall
from bioam.validation import BioamError

TAU_V, TAU_H = 20.0, 1.0  # ms


def solve_ivp_recall(xi, xi_back, theta, cue, tau_v, tau_h, duration):
    """
    Eq. (1) for one cue with SciPy (times in ms), restarted at every located crossing.

    Returns the final v, h, s and the list of (time, unit, new state) flips.
    """
    n_visible, n_hidden = xi.shape
    forward = xi * np.sqrt(n_hidden) / n_visible
    backward = xi_back / np.sqrt(n_hidden)
    state = np.concatenate([cue, np.zeros(n_hidden)])
    s = np.zeros(n_hidden)  # h(0) = 0 and theta > 0 below
    assert np.all(theta > 0)
    t, flips = 0.0, []
    while True:
        drive = s @ backward

        def rhs(_, z, drive=drive):
            v, h = z[:n_visible], z[n_visible:]
            return np.concatenate([(-v + drive) / tau_v, (-h + v @ forward) / tau_h])

        events = []
        for mu in range(n_hidden):
            def crossing(_, z, mu=mu):
                return z[n_visible + mu] - theta[mu]

            crossing.terminal = True
            crossing.direction = -1.0 if s[mu] else 1.0  # s = 1 can only switch off
            events.append(crossing)
        solution = solve_ivp(rhs, (t, duration), state, method="LSODA", rtol=1e-10,
                             atol=1e-12, events=events)
        assert solution.success
        hit = [mu for mu in range(n_hidden) if solution.t_events[mu].size]
        if not hit:
            final = solution.y[:, -1]
            return final[:n_visible], final[n_visible:], s, flips
        first = min(hit, key=lambda mu: solution.t_events[mu][0])
        t, state = solution.t_events[first][0], solution.y_events[first][0]
        s = s.copy()
        s[first] = 1.0 - s[first]
        flips.append((t, first, s[first]))


def small_problem(kind):
    """60 visible, 4 hidden neurons, 8 cues; every cue flips at least one unit."""
    n_visible, n_hidden = 60, 4
    if kind == "symmetric":
        rng = np.random.default_rng(2)
        xi = rng.standard_normal((n_visible, n_hidden)) + 0.3
        xi_back = xi.T.copy()
        theta = rng.uniform(0.1, 0.5, n_hidden)
    else:  # partly inhibitory feedback: units switch on, then off again
        rng = np.random.default_rng(3)
        xi = rng.standard_normal((n_visible, n_hidden))
        xi_back = -0.5 * xi.T + rng.standard_normal((n_hidden, n_visible))
        theta = rng.uniform(0.0, 0.3, n_hidden)
    cues = rng.uniform(0, 1, (8, n_visible))
    return xi, xi_back, theta, cues


@pytest.mark.parametrize("kind", ["symmetric", "asymmetric"])
def test_exact_converges_first_order_to_solve_ivp_with_events(kind):
    xi, xi_back, theta, cues = small_problem(kind)
    duration = 10.0
    answers = [solve_ivp_recall(xi, xi_back, theta, cue, TAU_V, TAU_H, duration) for cue in cues]
    h_ivp = np.array([answer[1] for answer in answers])
    s_ivp = np.array([answer[2] for answer in answers])
    flips = [flip for answer in answers for flip in answer[3]]
    assert all(len(answer[3]) >= 1 for answer in answers)
    if kind == "asymmetric":
        assert any(new_state == 0 for _, _, new_state in flips)  # a unit switched off

    steps = np.array([1e-2, 3e-3, 1e-3])
    errors = []
    for dt in steps:
        result = reference_recall(xi, cues, xi_back=xi_back, theta=theta, tau_v=TAU_V * ms,
                                  tau_h=TAU_H * ms, dt=dt * ms, duration=duration * ms,
                                  integrator="exact")
        np.testing.assert_array_equal(result["hidden"], s_ivp)
        errors.append(np.abs(result["h"] - h_ivp))
    assert errors[-1].max() < 1e-3
    mean_errors = [error.mean() for error in errors]
    assert mean_errors[0] > mean_errors[1] > mean_errors[2]
    # first order: the flips are late by a fraction of a step
    slope = np.polyfit(np.log(steps), np.log(mean_errors), 1)[0]
    assert 0.7 < slope < 1.3


def analytic(cue, h0, s, forward, backward, t):
    """Eq. (1) in closed form for constant s (tau_v != tau_h), times in ms."""
    u = s @ backward
    drive0, target = cue @ forward, u @ forward
    c = (drive0 - target) * TAU_V / (TAU_V - TAU_H)
    e_v, e_h = np.exp(-t / TAU_V), np.exp(-t / TAU_H)
    v = u + (cue - u) * e_v
    h = target + c * e_v + (h0 - target - c) * e_h
    return v, h


@pytest.mark.parametrize("state", [0.0, 1.0])
@pytest.mark.parametrize("dt", [1.0, 0.37, 0.1])
def test_exact_is_exact_between_flips(rng, state, dt):
    n_visible, n_hidden = 40, 5
    xi = rng.standard_normal((n_visible, n_hidden))
    cues = rng.uniform(0, 1, (3, n_visible))
    h0 = rng.uniform(-1, 1, (3, n_hidden))
    theta = 1e3 if state == 0.0 else -1e3  # s never changes: all off or all on
    n_steps = number_of_steps(7e-3, dt * 1e-3)
    kwds = dict(theta=theta, tau_v=TAU_V * ms, tau_h=TAU_H * ms, dt=dt * ms, duration=7 * ms,
                initial_hidden=h0)
    result = reference_recall(xi, cues, integrator="exact", record_every=1, **kwds)
    fast = lowrank_recall(xi, cues, **kwds)

    forward, backward = xi * np.sqrt(n_hidden) / n_visible, xi.T / np.sqrt(n_hidden)
    s = np.full(n_hidden, state)
    v_end, h_end = analytic(cues, h0, s, forward, backward, n_steps * dt)
    for got in (result, fast):
        np.testing.assert_allclose(got["visible"], v_end, rtol=0, atol=1e-12)
        np.testing.assert_allclose(got["h"], h_end, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(got["hidden"], np.broadcast_to(s, h_end.shape))
    assert result["h_trace"].shape == (3, n_hidden, n_steps)
    for k in range(n_steps):
        v_k, h_k = analytic(cues, h0, s, forward, backward, k * dt)
        np.testing.assert_allclose(result["visible_trace"][..., k], v_k, rtol=0, atol=1e-12)
        np.testing.assert_allclose(result["h_trace"][..., k], h_k, rtol=0, atol=1e-12)
    assert np.all(fast["n_flips"] == (n_hidden if state else 0))


def test_equal_time_constants_are_the_limit_of_close_ones():
    rng = np.random.default_rng(0)
    xi = rng.standard_normal((60, 4)) + 0.5
    theta, cues = rng.uniform(0.05, 0.3, 4), rng.uniform(0, 1, (8, 60))
    tau = 5 * ms
    kwds = dict(theta=theta, tau_v=tau, dt=0.05 * ms, duration=10 * ms)
    equal = reference_recall(xi, cues, tau_h=tau, integrator="exact", **kwds)
    assert np.all(np.isfinite(equal["h"])) and np.all(np.isfinite(equal["visible"]))
    assert np.abs(equal["h"]).max() > 0.5 and equal["hidden"].sum() > 0  # units switched on
    slopes = []
    for epsilon in (1e-7, 1e-10, 1e-13):
        close = reference_recall(xi, cues, tau_h=tau * (1 + epsilon), integrator="exact", **kwds)
        np.testing.assert_array_equal(close["hidden"], equal["hidden"])
        difference = np.abs(close["h"] - equal["h"]).max()
        assert difference < 10 * epsilon, epsilon
        slopes.append(difference / epsilon)
    # h depends smoothly on tau_h: the difference is proportional to epsilon, with no
    # cancellation error as tau_h approaches tau_v (1e-10 is within 1% of the slope at 1e-7)
    assert abs(slopes[1] - slopes[0]) < 0.01 * slopes[0]
    # the low-rank form uses the same factors
    fast = lowrank_recall(xi, cues, tau_h=tau, **kwds)
    np.testing.assert_allclose(fast["h"], equal["h"], rtol=0, atol=1e-12)
    assert np.all(fast["n_flips"] > 0)


@pytest.mark.parametrize("kind", ["symmetric", "asymmetric"])
@pytest.mark.parametrize("start", ["zero", "given"])
def test_lowrank_matches_dense_exact(rng, monkeypatch, kind, start):
    n_visible, n_hidden, n_cues = 70, 9, 11
    xi = rng.standard_normal((n_visible, n_hidden)) + 0.2
    xi_back = (None if kind == "symmetric"
               else xi.T + 0.7 * rng.standard_normal((n_hidden, n_visible)))
    theta = rng.uniform(0.0, 0.6, n_hidden)
    theta[:2] = [-0.2, -0.05]  # these units are on from step 0
    cues = rng.uniform(0, 1, (n_cues, n_visible))
    h0 = None if start == "zero" else rng.uniform(-0.5, 1.0, (n_cues, n_hidden))
    kwds = dict(xi_back=xi_back, theta=theta, tau_v=TAU_V * ms, tau_h=TAU_H * ms,
                dt=0.05 * ms, duration=25 * ms, initial_hidden=h0)
    monkeypatch.setattr(reference_module, "_BLOCK_ROWS", 4)  # several blocks, one ragged
    fast = lowrank_recall(xi, cues, **kwds)
    dense = reference_recall(xi, cues, integrator="exact", record_every=1, **kwds)
    assert set(fast) == {"visible", "h", "hidden", "n_flips"}
    np.testing.assert_allclose(fast["h"], dense["h"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(fast["visible"], dense["visible"], rtol=0, atol=1e-10)
    np.testing.assert_array_equal(fast["hidden"], dense["hidden"])
    # n_flips: changes of s = Theta(h - theta) at the step starts, from s = 0 before step 0
    s = dense["h_trace"] > theta[None, :, None]
    s = np.concatenate([np.zeros_like(s[..., :1]), s], axis=-1)
    expected = np.abs(np.diff(s.astype(int), axis=-1)).sum(axis=(1, 2))
    np.testing.assert_array_equal(fast["n_flips"], expected)
    assert np.all(fast["n_flips"] >= 2)  # the step-0 flips of the negative thresholds
    assert np.any(fast["n_flips"] > 2)  # and later ones


def test_threshold_is_strict(rng):
    # Theta(0) = 0: a unit sitting exactly at threshold is off
    xi = rng.standard_normal((20, 3))
    kwds = dict(theta=0.5, tau_v=TAU_V * ms, tau_h=TAU_H * ms, dt=0.1 * ms, duration=2 * ms,
                initial_hidden=np.full((2, 3), 0.5))
    cues = np.zeros((2, 20))
    for result in (reference_recall(xi, cues, integrator="exact", **kwds),
                   lowrank_recall(xi, cues, **kwds)):
        np.testing.assert_array_equal(result["visible"], 0.0)
        np.testing.assert_allclose(result["h"], 0.5 * np.exp(-2.0), rtol=1e-12)
    assert np.all(result["n_flips"] == 0)


@pytest.mark.parametrize("kind", ["symmetric", "asymmetric"])
def test_exact_beats_euler_at_a_coarse_step(kind):
    # Both detect flips at step ends, so both are first order; the exact pieces
    # remove the integration error between flips, which shows along the trajectory.
    xi, xi_back, theta, cues = small_problem(kind)
    kwds = dict(xi_back=xi_back, theta=theta, tau_v=TAU_V * ms, tau_h=TAU_H * ms,
                duration=10 * ms)
    fine = reference_recall(xi, cues, dt=0.001 * ms, integrator="exact", record_every=100, **kwds)
    errors = {}
    for integrator in ("exact", "euler"):
        coarse = reference_recall(xi, cues, dt=0.1 * ms, integrator=integrator, record_every=1,
                                  **kwds)
        errors[integrator] = np.abs(coarse["h_trace"] - fine["h_trace"])
    assert errors["exact"].max() < errors["euler"].max()
    assert errors["exact"].mean() < 0.6 * errors["euler"].mean()


def test_bad_integrator_or_activation_is_refused(rng):
    xi, cues = rng.standard_normal((10, 3)), rng.uniform(0, 1, (2, 10))
    kwds = dict(tau_v=TAU_V * ms, tau_h=TAU_H * ms, dt=0.1 * ms, duration=5 * ms)
    with pytest.raises(BioamError, match="integrator") as error:
        reference_recall(xi, cues, integrator="rk4", **kwds)
    assert "\n" not in str(error.value) and "'exact'" in str(error.value)
    with pytest.raises(BioamError, match="activation='step'") as error:
        reference_recall(xi, cues, integrator="exact", activation="sigmoid", **kwds)
    assert "\n" not in str(error.value) and "integrator='euler'" in str(error.value)
    # Euler keeps its stability limit, the exact pieces have none
    with pytest.raises(BioamError, match="tau_h"):
        reference_recall(xi, cues, **{**kwds, "dt": 1 * ms})
    result = reference_recall(xi, cues, integrator="exact", **{**kwds, "dt": 1 * ms})
    assert np.all(np.isfinite(result["h"]))
