"""
The registered pieces that `bioam.build_network` assembles.

A piece is one choice of a part of the model (`KINDS`):

* the hidden nonlinearity f(h) of Eq. (4) / Eq. (32a): ``step``, ``sigmoid``,
  ``power``, ``softmax``;
* the visible nonlinearity g(v) of Eq. (32b): ``identity``, ``sign``,
  ``normalised``;
* the neuron model of each layer: ``rate`` (Eq. 1) for both, ``lif`` (hidden
  integrate-and-fire neurons), ``spiking`` (visible spike generators);
* connectivity constraints: ``sparse``, ``dale``.

Each lives in one module of this package with its Brian2 equations, its
NumPy twin where it has one (used by `bioam.reference`), its parameters
(validated when the piece is made), its initial state at a cue, its read-out,
the combinations it refuses and, for a non-local piece, the population it
needs (a Brian2 group with a summed variable, so it runs on every target). A
piece registers itself with `register`; the builder, the recall, `bioam.compare`
and the command line look pieces up with `get_piece`, list them from
`REGISTRY`, call their hooks (`Piece`, `NeuronModel`, `Constraint`) and know
none by name.

A piece is given as an instance (``Power(n=5)``), a name (``'sign'``) or a
specification string ``'name:key=value,key=value'`` (``'power:n=10'``,
``'softmax:beta=200'``, ``'lif:tau_m=1ms'``).
"""

from .base import (KINDS, REGISTRY, Constraint, NeuronModel, Nonlinearity, Piece, Pool,
                   get_piece, register)

# the pieces register themselves on import
from . import identity, normalised, power, sign, sigmoid, softmax, step  # noqa: E402,F401
from . import dale, lif, rate, sparse, spiking_visible  # noqa: E402,F401
from .assembly import Assembly, assemble  # noqa: E402

__all__ = ["KINDS", "REGISTRY", "Assembly", "Constraint", "NeuronModel", "Nonlinearity", "Piece",
           "Pool", "assemble", "get_piece", "register"]
