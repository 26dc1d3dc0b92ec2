"""
Adding a piece: a rectified power f(h) = max(h - theta, 0)^n
============================================================

A piece is one small class in one module: its Brian2 expression, its NumPy
twin (for the reference), its parameters (validated in ``__post_init__``).
Once registered, `bioam.build_network`, `bioam.recall`, `bioam.reference_recall`
and the command line (``--activation relu_power:n=3``) take it by name.

Run it from the repository root::

    python docs/examples/example_new_piece.py
"""

from dataclasses import dataclass

import numpy as np
from brian2 import ms

from bioam import BioamError, recall, reference_recall
from bioam.pieces import Nonlinearity, register


@register
@dataclass(frozen=True)
class RectifiedPower(Nonlinearity):
    """Rectified power max(h - theta, 0)^n (a bounded-below variant of Model A's f)."""

    n: int = 3

    kind = "hidden"
    name = "relu_power"
    description = "rectified power max(h - theta, 0)^n"
    expression = "clip(h - theta, 0, inf)**n"

    def __post_init__(self):
        if int(self.n) != self.n or self.n < 1:
            raise BioamError(f"n must be an integer >= 1, got {self.n}")

    def numpy(self, x, theta=None):
        return np.clip(np.asarray(x, dtype=np.float64) - theta, 0, None) ** self.n


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    xi = rng.standard_normal((80, 4))
    cues = xi.T[:2] / 2 + 0.2 * rng.standard_normal((2, 80))
    timing = dict(tau_v=20 * ms, tau_h=1 * ms, dt=0.05 * ms, duration=20 * ms)
    result = recall(xi, cues, theta=0.2, activation="relu_power:n=3", backend="numpy", **timing)
    expected = reference_recall(xi, cues, theta=0.2, activation="relu_power:n=3", **timing)
    print("largest |h - reference|:", f"{np.max(np.abs(result.h - expected['h'])):.1e}")
    print("recalled f(h):", np.round(result.hidden, 3).tolist())
