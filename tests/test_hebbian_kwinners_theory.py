"""The k-winners capacity prediction for sparse patterns (bioam.hebbian.kwinners_theory)."""

import numpy as np
import pytest
from scipy.stats import binom

from bioam.hebbian.capacity import capacity, random_patterns
from bioam.hebbian.kwinners_theory import (field_distribution, kwinners_capacity,
                                           kwinners_fixed_point_probability)
from bioam.hebbian.rules import get_rule, offline_weights
from bioam.validation import BioamError

RULES = ["hebb", "covariance", "presynaptic_covariance", "willshaw", "bcpnn"]


def _rule(name, activity=0.05):
    if "covariance" in name:
        return get_rule(name, mean_activity=activity)
    return get_rule(name)


@pytest.mark.parametrize("units,n_patterns", [(100, 10), (100, 40), (400, 150)])
def test_willshaw_matches_the_classical_count_formula(units, n_patterns):
    # Willshaw's weights are 0/1: an active unit's field is k - 1 (its pattern sets its synapses);
    # an inactive unit with r other patterns has each synapse from the k active units on with
    # probability q_r = 1 - (1 - (k-1)/(D-1))^r, and breaks the pattern when k - 1 or more are on.
    k = round(0.05 * units)
    r = np.arange(n_patterns)
    q = 1 - (1 - (k - 1) / (units - 1)) ** r
    inactive_ok = np.sum(binom.pmf(r, n_patterns - 1, k / units) * binom.cdf(k - 2, k, q))
    expected_one = inactive_ok ** (units - k)
    one, every = kwinners_fixed_point_probability("willshaw", units, n_patterns)
    assert one == pytest.approx(expected_one, rel=1e-9)
    assert every == pytest.approx(expected_one ** n_patterns, rel=1e-9)


@pytest.mark.parametrize("name", RULES)
def test_field_distribution_matches_simulated_fields(name):
    # the marginal distribution of one unit's field in a stored pattern, against the fields of
    # 150 simulated pattern sets (Kolmogorov distance of the two CDFs)
    units, n_patterns = 100, 40
    rule = _rule(name)
    inactive_fields, active_fields = [], []
    for draw in range(150):
        X = random_patterns(n_patterns, units, "sparse", 0.05, seed=[3, draw])
        W, bias = offline_weights(X, rule, return_bias=True)
        field = X @ W.T + (0.0 if bias is None else bias)
        active_fields.append(field[X > 0])
        inactive_fields.append(field[X == 0])
    grid, inactive, active, _ = field_distribution(rule, units, n_patterns, 0.05)
    for predicted, fields in ((inactive, inactive_fields), (active, active_fields)):
        fields = np.sort(np.concatenate(fields))
        simulated = np.searchsorted(fields, grid + 1e-9, side="right") / len(fields)
        assert np.max(np.abs(np.cumsum(predicted) - simulated)) < 0.035


@pytest.mark.parametrize("name", RULES)
def test_prediction_is_a_close_lower_estimate_of_the_measured_capacity(name):
    # measured at D = 200 (21 draws, majority): hebb 50, covariance 79, presynaptic covariance 78,
    # Willshaw 93, BCPNN 151; the prediction treats units and patterns as independent, whose
    # failures are positively correlated, so it lies below (docs/hebbian.md)
    rule = _rule(name)
    measured = capacity(rule, 200, patterns="sparse", activity=0.05, n_draws=21).capacity
    predicted = kwinners_capacity(rule, 200, activity=0.05)
    assert 0.7 * measured <= predicted <= measured


def test_more_patterns_are_less_likely_to_be_all_fixed():
    every = [kwinners_fixed_point_probability("bcpnn", 100, n)[1] for n in (10, 40, 80)]
    assert every[0] > every[1] > every[2]


def test_bad_settings_are_refused():
    with pytest.raises(BioamError, match="active units"):
        kwinners_capacity("hebb", 10, activity=0.01)
    with pytest.raises(BioamError, match="epsilon"):
        kwinners_capacity("hebb", 100, epsilon=1.5)
    with pytest.raises(BioamError, match="n_patterns"):
        field_distribution("hebb", 100, 0)
