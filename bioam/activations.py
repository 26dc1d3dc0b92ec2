"""
The hidden neurons' activation functions, as a small registry of named pieces.

Each activation is a Brian2 expression of the hidden potential ``h`` and the
threshold ``theta`` (and, for the sigmoid, a ``steepness``), paired with the
NumPy function that computes the same thing for the reference integrator.
The builder (`bioam.network`) looks them up by name.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.special import expit

__all__ = ["Activation", "ACTIVATIONS", "get_activation"]


@dataclass(frozen=True)
class Activation:
    """
    One choice of hidden nonlinearity s = f(h - theta).

    Attributes
    ----------
    name : str
        The registry key.
    expression : str
        Brian2 expression for the subexpression ``s`` of the hidden group.
    numpy : callable
        ``numpy(h, theta, steepness) -> s`` on arrays, the same function in NumPy.
    description : str
        One line, with the paper reference.
    """

    name: str
    expression: str
    numpy: Callable
    description: str


def _step(h, theta, steepness=None):
    return (h > theta).astype(np.float64)


def _sigmoid(h, theta, steepness):
    return expit(steepness * (h - theta))


ACTIVATIONS = {
    "step": Activation(
        "step",
        "int(h > theta)",
        _step,
        "Heaviside step Theta(h - theta), Theta(0) = 0 (Eq. 2)",
    ),
    "sigmoid": Activation(
        "sigmoid",
        "1 / (1 + exp(-steepness * (h - theta)))",
        _sigmoid,
        "logistic sigmoid of slope `steepness` centred on theta (Appendix F)",
    ),
}


def get_activation(name):
    """
    Look up an activation by name.

    Raises
    ------
    BioamError
        If ``name`` is not in `ACTIVATIONS`.
    """
    from .validation import BioamError

    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise BioamError(
            f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}"
        ) from None
