"""
The registry of pieces: the `Nonlinearity` base, `Pool`, `register` and `get_piece`.

Examples
--------
>>> from bioam.pieces import REGISTRY, get_piece
>>> get_piece('hidden', 'power:n=5')
Power(n=5)
>>> sorted(REGISTRY['visible'])
['identity', 'normalised', 'sign']
"""

from dataclasses import dataclass, fields
from typing import ClassVar

from ..validation import BioamError

__all__ = ["KINDS", "REGISTRY", "Nonlinearity", "Pool", "get_piece", "register"]

#: The kinds of piece and the layer each acts on.
KINDS = {"hidden": "hidden nonlinearity f(h) (Eq. 4, Eq. 32a)",
         "visible": "visible nonlinearity g(v) (Eq. 32b)"}

#: Registered pieces: ``REGISTRY[kind][name]`` is the piece's class.
REGISTRY = {kind: {} for kind in KINDS}


def register(cls):
    """Class decorator: add a piece to `REGISTRY` under its ``kind`` and ``name``."""
    if cls.kind not in REGISTRY:
        raise BioamError(f"unknown kind of piece {cls.kind!r}; one of {sorted(REGISTRY)}")
    REGISTRY[cls.kind][cls.name] = cls
    return cls


@dataclass(frozen=True)
class Pool:
    """
    The pooling population of a non-local piece: one neuron per network copy.

    Attributes
    ----------
    equations : str
        The pool neuron's equations (Brian2).
    summed : str
        The pool variable that a summed variable fills.
    summand : str
        What each neuron of the layer adds to it (an expression of the
        synapse, with ``_pre`` for the layer's neuron and ``_post`` for the pool).
    linked : tuple of str
        Pool variables the layer reads, as ``<name>_pool`` linked variables.
    end_of_step : str, optional
        Code the pool runs at the end of each step.
    """

    equations: str
    summed: str
    summand: str
    linked: tuple
    end_of_step: str = None


@dataclass(frozen=True)
class Nonlinearity:
    """
    Base of the nonlinearity pieces: subclasses set the class attributes.

    Attributes
    ----------
    kind : str
        ``'hidden'`` (f, of ``h`` and ``theta``) or ``'visible'`` (g, of ``v``).
    name : str
        The registry key.
    description : str
        One line, with the paper reference.
    expression : str
        Brian2 expression of the layer's output (``s`` or ``g``); parameters
        appear by their field names and are given in the namespace.
    pool : Pool or None
        The pooling population of a non-local piece.
    """

    kind: ClassVar[str] = None
    name: ClassVar[str] = None
    description: ClassVar[str] = ""
    expression: ClassVar[str] = None
    pool: ClassVar[Pool] = None

    @property
    def local(self):
        """Whether each neuron's output depends on its own state alone."""
        return self.pool is None

    @property
    def parameters(self):
        """The piece's parameters, ``{name: value}``."""
        return {field.name: getattr(self, field.name) for field in fields(self)}

    def namespace(self):
        """What the piece's Brian2 code needs besides the group's variables."""
        return {key: float(value) for key, value in self.parameters.items()}

    def spec(self):
        """The specification string that `get_piece` turns back into this piece."""
        parameters = ",".join(f"{key}={value:g}" for key, value in self.parameters.items())
        return self.name + (f":{parameters}" if parameters else "")

    def numpy(self, x, theta=None):  # pragma: no cover - every piece overrides it
        """The same function in NumPy: ``x`` of shape (..., layer size)."""
        raise NotImplementedError


def _parse_value(key, text, spec):
    try:
        return float(text)
    except ValueError:
        raise BioamError(f"parameter {key!r} of {spec!r} must be a number, got {text!r}") from None


def get_piece(kind, spec, **parameters):
    """
    The piece of ``kind`` that ``spec`` names.

    Parameters
    ----------
    kind : {'hidden', 'visible'}
    spec : Nonlinearity or str
        An instance (returned as is), a registered name, or
        ``'name:key=value,...'``.
    **parameters
        Defaults for parameters the spec does not set (those the piece does not
        have are ignored, for example ``steepness`` for ``'step'``).

    Raises
    ------
    BioamError
        For an unknown name or parameter, or a parameter value the piece refuses.
    """
    if kind not in REGISTRY:
        raise BioamError(f"unknown kind of piece {kind!r}; one of {sorted(REGISTRY)}")
    if isinstance(spec, Nonlinearity):
        if spec.kind != kind:
            raise BioamError(f"{spec.spec()!r} is a {spec.kind} piece, not a {kind} one")
        return spec
    if not isinstance(spec, str):
        raise BioamError(f"a {kind} piece is a name or 'name:key=value', got {spec!r}")
    name, _, rest = spec.partition(":")
    registered = REGISTRY[kind]
    if name not in registered:
        what = "activation (hidden nonlinearity)" if kind == "hidden" else "visible nonlinearity"
        raise BioamError(f"unknown {what} {name!r}; choose one of {sorted(registered)}")
    cls = registered[name]
    known = {field.name for field in fields(cls)}
    values = {key: value for key, value in parameters.items() if key in known and value is not None}
    for item in filter(None, rest.split(",")):
        key, equals, text = item.partition("=")
        key = key.strip()
        if not equals or key not in known:
            raise BioamError(
                f"{spec!r}: {name!r} takes "
                + (", ".join(f"{k}=VALUE" for k in sorted(known)) or "no parameters")
                + f", got {item!r}")
        values[key] = _parse_value(key, text, spec)
    return cls(**values)


