"""
The paper's theoretical predictions for random Gaussian weights (Eq. 3).

* `no_bit_flip_bound`: the probability that a target binary hidden pattern is
  recalled without a bit flip, Eq. (40) (Eq. (10) when there is no noise);
* `no_bit_flip_probability`: the tighter form Phi(1 / 2 sigma_z)^N_h, Eq. (38);
* `basin_ratio`: sigma_v^2 N_h / N_v, which must be << 1 for recall, Eq. (15).
"""

import numpy as np
from scipy.special import ndtr

__all__ = ["sigma_z", "no_bit_flip_bound", "no_bit_flip_probability", "basin_ratio"]


def sigma_z(n_hidden, n_visible, noise_std=0.0):
    """
    Upper bound on the standard deviation of the field perturbation, Eq. (36).

    sigma_z^2 = (N_h + 1 + sigma_v^2 N_h) / N_v
    """
    n_hidden = np.asarray(n_hidden, dtype=float)
    return np.sqrt((n_hidden + 1 + np.square(noise_std) * n_hidden) / np.asarray(n_visible, dtype=float))


def no_bit_flip_bound(n_hidden, n_visible, noise_std=0.0):
    """
    Lower bound on P(no bit flips) for theta = 1/2, Eq. (40); Eq. (10) for sigma_v = 0.

    P >= 1 - N_h sigma_z exp(-1 / (8 sigma_z^2)) / sqrt(pi / 2), clipped at 0.

    Examples
    --------
    >>> bool(no_bit_flip_bound(10, 1000) > 0.9999)
    True
    """
    sz = sigma_z(n_hidden, n_visible, noise_std)
    bound = 1 - np.asarray(n_hidden) * sz * np.exp(-1 / (8 * sz**2)) / np.sqrt(np.pi / 2)
    return np.clip(bound, 0.0, 1.0)


def no_bit_flip_probability(n_hidden, n_visible, noise_std=0.0):
    """The tighter bound Phi(1 / (2 sigma_z))^N_h of Eq. (38)."""
    sz = sigma_z(n_hidden, n_visible, noise_std)
    return ndtr(1 / (2 * sz)) ** np.asarray(n_hidden, dtype=float)


def basin_ratio(n_hidden, n_visible, noise_std):
    """sigma_v^2 N_h / N_v: recall needs this << 1 (Eq. 15)."""
    return np.square(noise_std) * n_hidden / n_visible
