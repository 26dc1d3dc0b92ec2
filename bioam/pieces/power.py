"""The power f(h) = (h - theta)^n of Krotov & Hopfield's Model A and C (Eq. 32a, Table 4)."""

from dataclasses import dataclass

import numpy as np

from ..validation import BioamError
from .base import Nonlinearity, register

__all__ = ["Power"]


@register
@dataclass(frozen=True)
class Power(Nonlinearity):
    """
    Power ``(h - theta)^n`` with an integer n >= 1; Krotov & Hopfield's Model A
    uses n = 5 and n = 10 with theta = 0 (Table 4). Unbounded: the hidden
    activities of Model A grow to large values during recall.

    Examples
    --------
    >>> float(Power(n=5).numpy(2.0, 0.0))
    32.0
    """

    n: int = 5

    kind = "hidden"
    name = "power"
    description = "power (h - theta)^n, Krotov & Hopfield Models A and C (Eq. 32a, Table 4)"
    expression = "(h - theta)**n"

    def __post_init__(self):
        if not np.isfinite(self.n) or int(self.n) != self.n or self.n < 1:
            raise BioamError(f"the power's exponent n must be an integer >= 1, got {self.n}")
        object.__setattr__(self, "n", int(self.n))

    def numpy(self, x, theta=None):
        return (np.asarray(x, dtype=np.float64) - theta) ** self.n
