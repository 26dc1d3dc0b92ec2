"""The logistic sigmoid f(h) = 1 / (1 + exp(-steepness (h - theta))) (Appendix F)."""

from dataclasses import dataclass

from scipy.special import expit

from ..validation import check_positive
from .base import Nonlinearity, register

__all__ = ["Sigmoid"]


@register
@dataclass(frozen=True)
class Sigmoid(Nonlinearity):
    """
    Logistic sigmoid of slope ``steepness`` centred on theta (Appendix F).

    Examples
    --------
    >>> float(Sigmoid(steepness=20).numpy(0.5, 0.5))
    0.5
    """

    steepness: float = 20.0

    kind = "hidden"
    name = "sigmoid"
    description = "logistic sigmoid of slope `steepness` centred on theta (Appendix F)"
    expression = "1 / (1 + exp(-steepness * (h - theta)))"

    def __post_init__(self):
        check_positive("steepness", self.steepness)

    def numpy(self, x, theta=None):
        return expit(self.steepness * (x - theta))
