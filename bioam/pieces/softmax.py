"""
The softmax f_mu(h) = exp(beta h_mu) / sum_nu exp(beta h_nu) of Krotov & Hopfield's Model B.

Non-local: the normaliser is a pooling neuron per copy whose summed variable
``Z`` collects ``exp(beta (h - theta) - c)`` from every hidden neuron; ``c``
is the log of the previous normaliser (updated at the end of each step), so
the exponentials stay near 1 and never overflow, while ``s = exp(beta (h -
theta) - c) / Z`` is the exact softmax for any ``c``.
"""

from dataclasses import dataclass

import numpy as np

from ..validation import check_positive
from .base import Nonlinearity, Pool, register

__all__ = ["Softmax"]


@register
@dataclass(frozen=True)
class Softmax(Nonlinearity):
    """
    Softmax over the hidden neurons of a copy with inverse temperature ``beta``
    (Model B, Eq. 32a, Table 4; theta shifts every h_mu).

    Examples
    --------
    >>> import numpy as np
    >>> Softmax(beta=1.0).numpy(np.array([[0.0, np.log(3.0)]]), 0.0)
    array([[0.25, 0.75]])
    """

    beta: float = 1.0

    kind = "hidden"
    name = "softmax"
    description = ("softmax exp(beta h_mu) / sum_nu exp(beta h_nu), Krotov & Hopfield "
                   "Model B (Eq. 32a, Table 4)")
    expression = "exp(beta * (h - theta) - c_pool) / Z_pool"
    pool = Pool(
        equations="""
Z : 1  # sum over the copy's hidden neurons of exp(beta (h - theta) - c) (summed variable)
c : 1  # log of the previous step's normaliser: keeps the exponentials near 1
""",
        summed="Z",
        summand="exp(beta * (h_pre - theta_pre) - c_post)",
        linked=("Z", "c"),
        end_of_step="c = c + log(Z)",
    )

    def __post_init__(self):
        check_positive("beta", self.beta)

    def numpy(self, x, theta=None):
        exponent = self.beta * (np.asarray(x, dtype=np.float64) - theta)
        exponent = exponent - exponent.max(axis=-1, keepdims=True)
        weights = np.exp(exponent)
        return weights / weights.sum(axis=-1, keepdims=True)
