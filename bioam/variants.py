"""
Biological variants of the one model, as `bioam.compare` recalls them (Appendix E).

* `asymmetric_backward_weights`: hidden -> visible weights that are the forward
  weights mixed with an independent Gaussian matrix at correlation rho;
* `heterogeneous_thresholds`: one threshold per hidden neuron, drawn around a mean;
* `VARIANTS`: the registry of named variants. Each turns its parameters and the
  base model into `bioam.RecallSession` options: new weights or thresholds, or
  pieces of `bioam.pieces` (sparse synapses, Dale's law, spiking neurons).
  `register_variant` adds one; `bioam.compare` enumerates the registry.
"""

from dataclasses import dataclass, fields
from typing import Callable

import numpy as np

from .pieces.dale import Dale, dale_parameters
from .pieces.lif import SpikingHidden
from .pieces.sparse import Sparse
from .validation import BioamError, check_weights

__all__ = ["VARIANTS", "Variant", "asymmetric_backward_weights", "heterogeneous_thresholds",
           "register_variant"]


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


@dataclass(frozen=True)
class Variant:
    """
    A named variant of the base model for `bioam.compare`.

    Attributes
    ----------
    description : str
    defaults : dict
        Its parameters and their defaults (times as Quantity).
    options : callable
        ``options(parameters, base)`` -> `RecallSession` options; ``base`` has
        ``xi``, ``xi_back`` (or None), ``theta``, ``cues`` and ``seed``.
    """

    description: str
    defaults: dict
    options: Callable


#: The registered variants, by name.
VARIANTS = {}


def register_variant(name, description, defaults, options):
    """Add a variant to `VARIANTS` (see `Variant`)."""
    VARIANTS[name] = Variant(description, dict(defaults), options)


def _backward(base):
    return base["xi"].T if base["xi_back"] is None else base["xi_back"]


def _asymmetric(parameters, base):
    xi = base["xi"]
    mixed = asymmetric_backward_weights(xi / np.std(xi), parameters["rho"], base["seed"])
    return {"xi_back": mixed * np.std(_backward(base))}


def _heterogeneous(parameters, base):
    spread = heterogeneous_thresholds(base["xi"].shape[1], 0.0, parameters["spread"], base["seed"])
    return {"theta": np.asarray(base["theta"]) + spread}


def _sparse(parameters, base):
    return {"constraints": [Sparse(parameters["p"], parameters["shared"], base["seed"])]}


def _dale(parameters, base):
    # the baseline keeps every cue's rates >= 0 and every fixed point's too
    bound = dale_parameters(base["xi"], _backward(base), *base["xi"].shape)["baseline"]
    baseline = max(bound, float(-np.min(base["cues"])), 0.0)
    return {"constraints": [Dale(baseline, parameters["tau_inhibitory"])]}


def _spiking(parameters, base):
    return {"spiking": SpikingHidden(**parameters)}


def _defaults(cls, names):
    piece = cls()
    return {name: getattr(piece, name) for name in names}


register_variant("rate", "the unconstrained rate model of Eq. (1)", {}, lambda parameters, base: {})
register_variant("asymmetric", "backward weights correlated with the forward ones at rho",
                 {"rho": 0.8}, _asymmetric)
register_variant("heterogeneous", "thresholds spread around the model's by a Gaussian",
                 {"spread": 0.1}, _heterogeneous)
register_variant("sparse", Sparse.description, {"p": 0.5, "shared": 0}, _sparse)
register_variant("dale", Dale.description, _defaults(Dale, ["tau_inhibitory"]), _dale)
register_variant("spiking", "LIF hidden neurons (and spiking visible neurons at visible_rate > 0)",
                 _defaults(SpikingHidden, [field.name for field in fields(SpikingHidden)
                                           if field.name not in ("readout_start",
                                                                 "readout_fraction",
                                                                 "on_margin")]), _spiking)
