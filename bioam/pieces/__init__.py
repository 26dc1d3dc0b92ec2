"""
The registered pieces that `bioam.build_network` assembles.

A piece is one choice of a part of the model: so far the nonlinearity of each
layer, the hidden f(h) of Eq. (4) / Eq. (32a) (``step``, ``sigmoid``,
``power``, ``softmax``) and the visible g(v) of Eq. (32b) (``identity``,
``sign``, ``normalised``). Each lives in one module of this package with its
Brian2 expression, its NumPy twin (used by `bioam.reference`), its parameters
(validated when the piece is made) and, for a non-local piece, the pooling
population it needs (a Brian2 group with a summed variable, so it runs on
every target). A piece registers itself with `register`; the builder, the
reference and the command line look pieces up with `get_piece` and list them
from `REGISTRY`, and know none by name.

A piece is given as an instance (``Power(n=5)``), a name (``'sign'``) or a
specification string ``'name:key=value,key=value'`` (``'power:n=10'``,
``'softmax:beta=200'``).
"""

from .base import KINDS, REGISTRY, Nonlinearity, Pool, get_piece, register

# the pieces register themselves on import
from . import identity, normalised, power, sign, sigmoid, softmax, step  # noqa: E402,F401

__all__ = ["KINDS", "REGISTRY", "Nonlinearity", "Pool", "get_piece", "register"]
