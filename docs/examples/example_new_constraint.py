"""
Adding a constraint piece: synapses with a few weight levels
============================================================

A constraint is one small class in one module. It overrides only the hooks it
needs (`bioam.pieces.Constraint`); this one changes the weights the synapses
carry (``effective_weights``), so the builder, `bioam.recall`, both
formulations and the command line (``bioam recall --constraint
quantised:levels=5``) take it by name, and the NumPy reference of the same
network is the reference recall with the quantised weights.

Run it from the repository root::

    python docs/examples/example_new_constraint.py
"""

from dataclasses import dataclass

import numpy as np
from brian2 import ms

from bioam import BioamError, recall, reference_recall
from bioam.pieces import Constraint, register


def quantise(weights, levels):
    """Each weight rounded to the nearest of ``levels`` values evenly spaced over +-max|w|."""
    top = np.abs(weights).max()
    grid = np.linspace(-top, top, levels)
    return grid[np.abs(weights[..., None] - grid).argmin(axis=-1)]


@register
@dataclass(frozen=True)
class Quantised(Constraint):
    """Synapses with ``levels`` weight values (limited synaptic precision)."""

    levels: int = 5

    kind = "constraint"
    name = "quantised"
    description = "synaptic weights rounded to a few evenly spaced levels"

    def __post_init__(self):
        if int(self.levels) != self.levels or self.levels < 2:
            raise BioamError(f"quantised: levels must be an integer >= 2, got {self.levels}")

    def namespace(self):
        return {}

    def effective_weights(self, forward, backward):
        return quantise(forward, self.levels), quantise(backward, self.levels), None, None


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    xi = rng.standard_normal((300, 4))
    targets = np.eye(4)[:3]
    cues = targets @ xi.T / 2 + 0.1 * rng.standard_normal((3, 300))
    timing = dict(tau_v=20 * ms, tau_h=1 * ms, dt=0.05 * ms, duration=30 * ms)
    for formulation in ("dense", "event"):
        result = recall(xi, cues, constraints=["quantised:levels=5"], backend="numpy",
                        formulation=formulation, **timing)
        expected = reference_recall(quantise(xi, 5), cues, xi_back=quantise(xi.T, 5),
                                    integrator="exact" if formulation == "event" else "euler",
                                    **timing)
        print(f"{formulation}: largest |h - reference|:",
              f"{np.max(np.abs(result.h - expected['h'])):.1e}")
    print("recalled the targets:", bool(np.all(result.hidden == targets)))
