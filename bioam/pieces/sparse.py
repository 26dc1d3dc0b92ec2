"""
Sparse connectivity: each synapse present with probability p, present weights scaled by 1/p.

The scaling keeps the expected input unchanged; the two directions' synapses
are drawn independently or as reciprocal pairs (``shared``).
"""

from dataclasses import dataclass

import numpy as np

from ..validation import BioamError
from .base import Constraint, register

__all__ = ["Sparse", "connection_masks"]


def connection_masks(n_visible, n_hidden, connection_probability=1.0, shared=False, seed=0):
    """
    Which synapses exist under sparse connectivity.

    Parameters
    ----------
    n_visible, n_hidden : int
    connection_probability : float
        Probability p that a synapse is present (0 < p <= 1).
    shared : bool
        If True, visible->hidden and hidden->visible synapses come in pairs
        (the backward mask is the transpose of the forward one); otherwise
        the two directions are drawn independently.
    seed : int

    Returns
    -------
    forward : ndarray of bool, shape (N_v, N_h)
    backward : ndarray of bool, shape (N_h, N_v)

    Examples
    --------
    >>> forward, backward = connection_masks(100, 10, 0.3, shared=True, seed=1)
    >>> bool((forward == backward.T).all()), round(float(forward.mean()), 1)
    (True, 0.3)
    """
    if not 0 < connection_probability <= 1:
        raise BioamError(
            f"connection_probability must be in (0, 1], got {connection_probability}")
    if connection_probability == 1:
        return np.ones((n_visible, n_hidden), bool), np.ones((n_hidden, n_visible), bool)
    rng = np.random.default_rng([seed, 1])
    forward = rng.random((n_visible, n_hidden)) < connection_probability
    backward = forward.T.copy() if shared else rng.random((n_hidden, n_visible)) < connection_probability
    return forward, backward


@register
@dataclass(frozen=True)
class Sparse(Constraint):
    """
    Sparse synapses with probability ``p`` (``shared``: reciprocal pairs; ``seed``: the draw).

    Examples
    --------
    >>> from bioam.pieces import get_piece
    >>> get_piece('constraint', 'sparse:p=0.5,shared=1')
    Sparse(p=0.5, shared=True, seed=0)
    """

    p: float = 0.5
    shared: bool = False
    seed: int = 0

    kind = "constraint"
    name = "sparse"
    description = "sparse synapses, present with probability p, weights scaled by 1/p"
    removes_synapses = True

    def __post_init__(self):
        if not (isinstance(self.p, (int, float)) and 0 < self.p <= 1):
            raise BioamError(f"sparse: p must be a probability in (0, 1], got {self.p}")
        if self.shared not in (0, 1):
            raise BioamError(f"sparse: shared must be 0 or 1, got {self.shared}")
        if int(self.seed) != self.seed or self.seed < 0:
            raise BioamError(f"sparse: seed must be an integer >= 0, got {self.seed}")
        object.__setattr__(self, "shared", bool(self.shared))
        object.__setattr__(self, "seed", int(self.seed))

    def namespace(self):
        return {}

    def effective_weights(self, forward, backward):
        if self.p == 1:
            return forward, backward, None, None
        forward_mask, backward_mask = connection_masks(*forward.shape, self.p, self.shared,
                                                       self.seed)
        return forward * forward_mask / self.p, backward * backward_mask / self.p, \
            forward_mask, backward_mask
