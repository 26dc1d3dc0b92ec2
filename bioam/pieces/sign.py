"""The sign g(v) = sign(v) of Krotov & Hopfield's Model A (Eq. 32b, Table 4); sign(0) = 0."""

from dataclasses import dataclass

import numpy as np

from .base import Nonlinearity, register

__all__ = ["Sign"]


@register
@dataclass(frozen=True)
class Sign(Nonlinearity):
    """
    g(v) = sign(v), with sign(0) = 0 (Model A, Table 4).

    Examples
    --------
    >>> import numpy as np
    >>> Sign().numpy(np.array([-2.0, 0.0, 0.3]))
    array([-1.,  0.,  1.])
    """

    kind = "visible"
    name = "sign"
    description = "sign g(v) = sign(v), sign(0) = 0, Krotov & Hopfield Model A (Eq. 32b)"
    expression = "sign(v)"

    def numpy(self, x, theta=None):
        return np.sign(np.asarray(x, dtype=np.float64))
