"""
The unit updates of a laterally connected network, as registered pieces (kind ``'lateral_update'``).

`bioam.hebbian.network.build_hebbian_network` assembles one of them and knows
none by name: each gives the equations it adds to the units, the Brian2
objects it needs (a pool neuron, competition synapses), the code of the
synchronous update run at the end of every step, the state values it takes,
and its NumPy twin (`bioam.hebbian.retrieval`). A new update is one class here
(or in a user's module) registered with `bioam.pieces.register`.

Examples
--------
>>> from bioam.pieces import REGISTRY, get_piece
>>> sorted(REGISTRY['lateral_update'])
['hypercolumn', 'k_winners', 'rate', 'sign', 'threshold']
>>> get_piece('lateral_update', 'k_winners:k=5').k
5
"""

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
from brian2 import NeuronGroup, Synapses, linked_var, ms

from ..pieces.base import Piece, register
from ..validation import BioamError, check_time
from .retrieval import (hypercolumn_update, k_winners_update, rate_dynamics, sign_update,
                        threshold_update)
from .rules import _check_hypercolumn_size

__all__ = ["LateralUpdate", "Sign", "Threshold", "KWinners", "Hypercolumn", "Rate"]

#: The units of every update: state x, input I (summed), bias b, field h.
UNIT_EQUATIONS = """
x : 1  # state of unit i
I : 1  # sum_j W_ij x_j, from the lateral synapses (summed variable)
b : 1 (constant)  # bias b_i
h = I + b : 1  # field h_i (003, Eq. 6)
"""

#: Counting the units of a group with a larger field (ranks for k-winners and WTA).
RANK_EQUATIONS = """
larger : 1  # units of the group with a larger field (summed variable)
h_unit : 1 (linked)  # the field of this rank's unit
"""


def _blocks(n_units, n_copies, allowed):
    """Pre and post indices of the synapses of every copy where ``allowed[pre, post]``."""
    pre, post = np.nonzero(allowed)
    offsets = np.arange(n_copies)[:, None] * n_units
    return (pre[None, :] + offsets).ravel(), (post[None, :] + offsets).ravel()


def _integer_field(piece, name):
    """Store a whole-number parameter (parsed from a specification as a float) as an int."""
    value = getattr(piece, name)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        object.__setattr__(piece, name, int(value))


@dataclass(frozen=True)
class LateralUpdate(Piece):
    """
    Base of the unit updates: synchronous, one per time step (003, Eq. 7).

    Attributes
    ----------
    states : tuple or None
        The values a state may take (None: any real number).
    code : str or None
        Brian2 code run on the units at the end of every step (None: the
        units' own differential equation updates them).
    """

    kind: ClassVar[str] = "lateral_update"
    states: ClassVar[tuple] = (0.0, 1.0)
    code: ClassVar[str] = None

    def namespace(self):
        return {}

    def unit_equations(self):
        """The units' equations."""
        return UNIT_EQUATIONS

    def check(self, n_units):
        """Refuse settings that do not fit ``n_units`` (raise `BioamError`)."""

    def helpers(self, units, n_units, n_copies, dt, name):
        """Further Brian2 objects the update needs (set up on ``units``)."""
        return []

    def set_up(self, units, n_copies):
        """Set the units' own parameters (thresholds)."""

    def numpy_step(self, weights, states, bias):  # pragma: no cover - every update overrides it
        """One update in NumPy (`bioam.hebbian.retrieval`)."""
        raise NotImplementedError


@register
@dataclass(frozen=True)
class Sign(LateralUpdate):
    """+-1 units, x = sgn(h), sgn(0) keeps the state (`bioam.hebbian.retrieval`)."""

    name = "sign"
    description = "+-1 units, x = sgn(h), sgn(0) keeps the state (003, Eq. 6-7)"
    states = (-1.0, 1.0)
    code = "x = int(h > 0) - int(h < 0) + int(h == 0) * x"

    def numpy_step(self, weights, states, bias):
        return sign_update(weights, states, bias)


@register
@dataclass(frozen=True)
class Threshold(LateralUpdate):
    """
    0/1 units on iff h >= threshold; ``'active'``: Willshaw's, the active units other than i.

    Willshaw's threshold is summed by a pool neuron per copy (a summed
    variable) that the units read through a linked variable.
    """

    threshold: object = "active"

    name = "threshold"
    description = "0/1 units on iff h reaches a threshold (Willshaw: the active units)"

    @property
    def active(self):
        """Whether the threshold is Willshaw's number of active units."""
        return isinstance(self.threshold, str)

    @property
    def code(self):
        return "x = int(h >= active_pool - x)" if self.active else "x = int(h >= theta)"

    def unit_equations(self):
        if self.active:
            return UNIT_EQUATIONS + "active_pool : 1 (linked)  # active units of the copy"
        return UNIT_EQUATIONS + "theta : 1 (constant)  # activity threshold"

    def check(self, n_units):
        if self.active:
            if self.threshold != "active":
                raise BioamError(f"threshold must be a number, one per unit, or 'active', got "
                                 f"{self.threshold!r}")
            return
        values = np.broadcast_to(np.asarray(self.threshold, dtype=np.float64), (n_units,))
        if not np.all(np.isfinite(values)):
            raise BioamError("threshold must be finite numbers, or 'active' (Willshaw)")

    def set_up(self, units, n_copies):
        if not self.active:
            n_units = units.N // n_copies
            units.theta = np.tile(np.broadcast_to(np.asarray(self.threshold, dtype=np.float64),
                                                  (n_units,)), n_copies)

    def helpers(self, units, n_units, n_copies, dt, name):
        if not self.active:
            return []
        copy_of_unit = np.repeat(np.arange(n_copies), n_units)
        pool = NeuronGroup(n_copies, "active : 1  # active units of the copy (summed variable)",
                           dt=dt, name=f"{name}_active_pool")
        to_pool = Synapses(units, pool, "active_post = x_pre : 1 (summed)", dt=dt,
                           name=f"{name}_to_active_pool")
        to_pool.connect(i=np.arange(n_copies * n_units), j=copy_of_unit)
        units.active_pool = linked_var(pool, "active", index=copy_of_unit)
        return [pool, to_pool]

    def numpy_step(self, weights, states, bias):
        return threshold_update(weights, states, self.threshold, bias)


@dataclass(frozen=True)
class _Ranked(LateralUpdate):
    """Units ranked by field within groups: competition synapses count the larger fields."""

    #: The competition's summed variable: which presynaptic units beat the postsynaptic one.
    beats: ClassVar[str] = "int(h_pre > h_unit_post)"

    def unit_equations(self):
        return UNIT_EQUATIONS + "larger_rank : 1 (linked)  # units of the group with a larger field"

    def groups(self, n_units):  # pragma: no cover - every ranked update overrides it
        """The group of every unit (ranks are counted within a group)."""
        raise NotImplementedError

    def helpers(self, units, n_units, n_copies, dt, name):
        # after the lateral inputs: summed updaters run in the order of their target groups
        ranks = NeuronGroup(n_copies * n_units, RANK_EQUATIONS, dt=dt, order=5,
                            name=f"{name}_ranks")
        ranks.h_unit = linked_var(units, "h")
        group = self.groups(n_units)
        competition = Synapses(units, ranks, f"larger_post = {self.beats} : 1 (summed)", dt=dt,
                               name=f"{name}_competition")
        pre, post = _blocks(n_units, n_copies, group[:, None] == group[None, :])
        competition.connect(i=pre, j=post)
        units.larger_rank = linked_var(ranks, "larger")
        return [ranks, competition]


@register
@dataclass(frozen=True)
class KWinners(_Ranked):
    """The k units with the largest fields of a copy are on (ties with the k-th are on too)."""

    k: int = None

    name = "k_winners"
    description = "0/1 units, the k largest fields on"

    def __post_init__(self):
        _integer_field(self, "k")

    @property
    def code(self):
        return f"x = int(larger_rank < {int(self.k)})"

    def check(self, n_units):
        if (self.k is None or isinstance(self.k, bool) or int(self.k) != self.k
                or not 1 <= self.k <= n_units):
            raise BioamError(f"update 'k_winners' needs k, an integer in [1, {n_units}], got "
                             f"{self.k!r}")

    def groups(self, n_units):
        return np.zeros(n_units, int)

    def numpy_step(self, weights, states, bias):
        return k_winners_update(weights, states, int(self.k), bias)


@register
@dataclass(frozen=True)
class Hypercolumn(_Ranked):
    """Winner-take-all in each hypercolumn of ``size`` units (ties to the lowest index)."""

    size: int = None

    def __post_init__(self):
        _integer_field(self, "size")

    name = "hypercolumn"
    description = "0/1 units, the largest field of each hypercolumn on (BCPNN)"
    code = "x = int(larger_rank < 1)"
    # ties go to the lower index: a unit is also beaten by an equal one before it
    beats = "int(h_pre > h_unit_post or (h_pre == h_unit_post and i < j))"

    def check(self, n_units):
        if self.size is None:
            raise BioamError("update 'hypercolumn' needs hypercolumn_size")
        _check_hypercolumn_size(self.size, n_units)

    def groups(self, n_units):
        return np.arange(n_units) // int(self.size)

    def numpy_step(self, weights, states, bias):
        return hypercolumn_update(weights, states, int(self.size), bias)


@register
@dataclass(frozen=True)
class Rate(LateralUpdate):
    """Continuous units, tau dx/dt = -x + tanh(h), forward Euler."""

    tau: object = field(default_factory=lambda: 10 * ms)
    dt: object = field(default_factory=lambda: 1 * ms)

    name = "rate"
    description = "rate units, tau dx/dt = -x + tanh(W x + b)"
    states = None

    def check(self, n_units):
        check_time("tau", self.tau)

    def namespace(self):
        return {"tau": self.tau}

    def unit_equations(self):
        return """
dx/dt = (-x + tanh(h)) / tau : 1  # tau dx/dt = -x + g(W x + b), g = tanh
I : 1  # sum_j W_ij x_j (summed variable)
b : 1 (constant)  # bias b_i
h = I + b : 1  # field h_i
"""

    def numpy_step(self, weights, states, bias):
        return rate_dynamics(weights, states, tau=self.tau, dt=self.dt, duration=self.dt,
                             bias=bias)
