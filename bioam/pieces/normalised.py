"""
The spherical normalisation g_i(v) = v_i / sqrt(sum_j v_j^2) of Krotov & Hopfield's Model C.

Non-local: a pooling neuron per copy sums ``v_j^2`` over the copy's visible
neurons (a summed variable), which each visible neuron reads as a linked
variable. The state v = 0 has no direction: cues must not be all zero.
"""

from dataclasses import dataclass

import numpy as np

from .base import Nonlinearity, Pool, register

__all__ = ["Normalised"]


@register
@dataclass(frozen=True)
class Normalised(Nonlinearity):
    """
    g_i(v) = v_i / ||v|| over the visible neurons of a copy (Model C, Eq. 32b).

    Examples
    --------
    >>> import numpy as np
    >>> Normalised().numpy(np.array([[3.0, 4.0]]))
    array([[0.6, 0.8]])
    """

    kind = "visible"
    name = "normalised"
    description = ("spherical normalisation g_i = v_i / sqrt(sum_j v_j^2), Krotov & "
                   "Hopfield Model C (Eq. 32b)")
    expression = "v / sqrt(norm2_pool)"
    pool = Pool(
        equations="""
norm2 : 1  # sum over the copy's visible neurons of v^2 (summed variable)
""",
        summed="norm2",
        summand="v_pre**2",
        linked=("norm2",),
    )

    def numpy(self, x, theta=None):
        x = np.asarray(x, dtype=np.float64)
        return x / np.sqrt((x ** 2).sum(axis=-1, keepdims=True))
