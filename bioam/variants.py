"""
Random biological variants of a weight matrix and of the thresholds (Appendix E).

* `asymmetric_backward_weights`: hidden -> visible weights that are the forward
  weights mixed with an independent Gaussian matrix at correlation rho;
* `heterogeneous_thresholds`: one threshold per hidden neuron, drawn around a mean.

Sparse connectivity and Dale's law are options of `bioam.build_network`
(``connection_probability``, ``dale``).
"""

import numpy as np

from .validation import BioamError, check_weights

__all__ = ["asymmetric_backward_weights", "heterogeneous_thresholds"]


def asymmetric_backward_weights(xi, rho, seed=0):
    """
    Backward weights correlated with the forward ones at coefficient ``rho``.

    ``xi_back = rho * xi^T + sqrt(1 - rho^2) * G`` with G ~ N(0, 1) entries, so
    that for Gaussian xi each backward weight is standard normal and its
    correlation with the forward weight is rho; rho = 1 is the symmetric network.

    Parameters
    ----------
    xi : array-like, shape (N_v, N_h)
    rho : float in [-1, 1]
    seed : int

    Returns
    -------
    ndarray, shape (N_h, N_v)

    Examples
    --------
    >>> import numpy as np
    >>> xi = np.random.default_rng(0).standard_normal((1000, 20))
    >>> back = asymmetric_backward_weights(xi, 0.8, seed=1)
    >>> round(float(np.corrcoef(back.ravel(), xi.T.ravel())[0, 1]), 1)
    0.8
    """
    xi, _ = check_weights(xi)
    if not -1 <= rho <= 1:
        raise BioamError(f"rho must be a correlation in [-1, 1], got {rho}")
    noise = np.random.default_rng([seed, 2]).standard_normal(xi.T.shape)
    return rho * xi.T + np.sqrt(1 - rho**2) * noise


def heterogeneous_thresholds(n_hidden, mean=0.5, spread=0.0, seed=0):
    """
    One threshold per hidden neuron, ``theta_mu ~ N(mean, spread^2)``.

    Parameters
    ----------
    n_hidden : int
    mean : float
    spread : float >= 0
        Standard deviation; 0 gives the global threshold ``mean``.
    seed : int

    Returns
    -------
    ndarray, shape (N_h,)
    """
    if spread < 0 or not np.isfinite(spread):
        raise BioamError(f"threshold spread must be >= 0, got {spread}")
    return mean + spread * np.random.default_rng([seed, 3]).standard_normal(int(n_hidden))
