"""The identity g(v) = v: the visible nonlinearity of the paper's model (Eq. 1b) and of Model B."""

from dataclasses import dataclass

import numpy as np

from .base import Nonlinearity, register

__all__ = ["Identity"]


@register
@dataclass(frozen=True)
class Identity(Nonlinearity):
    """
    g(v) = v (Eq. 1b; Model B of Table 4).

    Examples
    --------
    >>> Identity().numpy(-0.5)
    array(-0.5)
    """

    kind = "visible"
    name = "identity"
    description = "identity g(v) = v (Eq. 1b)"
    event_exact = True
    expression = "v"

    def numpy(self, x, theta=None):
        return np.asarray(x, dtype=np.float64)
