"""
The registry of pieces: the bases `Piece`, `Nonlinearity`, `NeuronModel` and
`Constraint`, `Pool`, `register` and `get_piece`.

Every hook the builder calls has a default here that does nothing, so a piece
overrides only what it changes; the builder (`bioam.network`), the recall
(`bioam.recall`) and `bioam.compare` call the hooks of every piece and know
none by name.

Examples
--------
>>> from bioam.pieces import REGISTRY, get_piece
>>> get_piece('hidden', 'power:n=5')
Power(n=5)
>>> sorted(REGISTRY['visible'])
['identity', 'normalised', 'sign']
>>> get_piece('hidden_neuron', 'lif:gain=100,tau_m=1ms').tau_m
1. * msecond
"""

from dataclasses import MISSING, dataclass, fields
from typing import ClassVar

from ..validation import BioamError, parse_time

__all__ = ["KINDS", "REGISTRY", "Constraint", "NeuronModel", "Nonlinearity", "Piece", "Pool",
           "get_piece", "output_equation", "register"]

#: The kinds of piece and what each chooses.
KINDS = {"hidden": "hidden nonlinearity f(h) (Eq. 4, Eq. 32a)",
         "visible": "visible nonlinearity g(v) (Eq. 32b)",
         "hidden_neuron": "neuron model of the hidden layer (rate, integrate-and-fire)",
         "visible_neuron": "neuron model of the visible layer (rate, spiking)",
         "constraint": "connectivity constraint (sparse synapses, Dale's law)",
         "lateral_update": "update of the units of a laterally connected network (bioam.hebbian)"}

#: How errors name a piece of each kind.
_WHAT = {"hidden": "activation (hidden nonlinearity)", "visible": "visible nonlinearity",
         "hidden_neuron": "hidden neuron model", "visible_neuron": "visible neuron model",
         "constraint": "constraint", "lateral_update": "update"}

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


def _format(value):
    """A parameter value as a specification string writes it (times in ms)."""
    if hasattr(value, "dim"):
        return f"{float(value) * 1e3:g}ms"
    return f"{value:g}"


@dataclass(frozen=True)
class Piece:
    """
    Base of every piece: its registry key, parameters and specification.

    Attributes
    ----------
    kind : str
        One of `KINDS`.
    name : str
        The registry key.
    description : str
        One line, with the paper reference.
    """

    kind: ClassVar[str] = None
    name: ClassVar[str] = None
    description: ClassVar[str] = ""

    @property
    def parameters(self):
        """The piece's parameters, ``{name: value}``."""
        return {field.name: getattr(self, field.name) for field in fields(self)}

    def namespace(self):
        """What the piece's Brian2 code needs besides the group's variables."""
        return {key: float(value) for key, value in self.parameters.items()}

    def spec(self):
        """The specification string that `get_piece` turns back into this piece."""
        parameters = ",".join(f"{key}={_format(value)}" for key, value in self.parameters.items()
                              if value is not None)
        return self.name + (f":{parameters}" if parameters else "")

    def event_reason(self):
        """Why the event formulation (`bioam.event`) cannot run this piece, or None."""
        return None

    def refuses(self, model, dt):
        """
        Why this piece cannot be built with the others, or None.

        Parameters
        ----------
        model : Assembly
            All pieces of the network (`bioam.pieces.assembly`).
        dt : Quantity
            The time step of the simulation.
        """
        return None

    def terms(self):
        """Values of the layer templates' slots (``visible_gate``, ``visible_rest``)."""
        return {}

    def at_duration(self, duration):
        """This piece for a recall of ``duration`` (a read-out window may depend on it)."""
        return self


@dataclass(frozen=True)
class Nonlinearity(Piece):
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

    expression: ClassVar[str] = None
    pool: ClassVar[Pool] = None
    #: Whether the event formulation is exact with this piece (its output changes
    #: only at threshold crossings, or linearly).
    event_exact: ClassVar[bool] = False

    @property
    def local(self):
        """Whether each neuron's output depends on its own state alone."""
        return self.pool is None

    def event_reason(self):
        if self.event_exact:
            return None
        if self.kind == "hidden":
            return f"activation {self.spec()!r} changes s continuously (only 'step' has flips)"
        return (f"visible nonlinearity {self.spec()!r} is not linear, so the hidden input is "
                "no low-rank projection of the visible state")

    def numpy(self, x, theta=None):  # pragma: no cover - every piece overrides it
        """The same function in NumPy: ``x`` of shape (..., layer size)."""
        raise NotImplementedError


#: The output of a layer: a subexpression for a local piece; for a non-local one a
#: variable that the layer sets every step from its pool (Brian2's Synapses cannot
#: read a subexpression of linked variables).
LOCAL_OUTPUT = "{variable} = {expression} : 1  # {description}, {name}"
POOLED_OUTPUT = "{variable} : 1  # {description}, {name}: {expression}, set every step"
OUTPUT_DESCRIPTION = {"s": "activation s_mu = f(h_mu) (Eq. 4, Eq. 32a)",
                      "g": "what the hidden neurons sum, g(v_i) (Eq. 32b; v in Eq. 1b)"}

#: A pool variable read by the neurons of a layer (non-local pieces).
LINKED_POOL_VARIABLE = "{name}_pool : 1 (linked)  # the pool's {name}, of this neuron's copy"


def output_equation(variable, piece):
    """The equation of a layer's output ``variable`` (``s`` or ``g``) for a nonlinearity piece."""
    template = LOCAL_OUTPUT if piece.pool is None else POOLED_OUTPUT
    lines = [template.format(variable=variable, expression=piece.expression,
                             description=OUTPUT_DESCRIPTION[variable], name=piece.name)]
    if piece.pool is not None:
        lines += [LINKED_POOL_VARIABLE.format(name=name) for name in piece.pool.linked]
    return "\n".join(lines)


#: The input a layer receives from a rate layer: a summed variable.
SUMMED_INPUT = "{variable} : 1  # {description} (summed variable)"

#: A projection from a rate layer: ``{target}`` of the postsynaptic group summed
#: over ``w * {source}``.
SUMMED_PROJECTION = """
w : 1 (constant)  # {weight}
{target}_post = w * {source}_pre : 1 (summed)
"""


@dataclass(frozen=True)
class NeuronModel(Piece):
    """
    Base of the neuron-model pieces: the rate neuron of Eq. (1) unless overridden.

    A layer's neuron model gives the equations the layer adds to its own
    (``equations``), the spike threshold and reset of its group
    (``group_keywords``), how its output reaches the other layer (the
    ``projection`` it sends and the ``input_equation`` of the receiving
    layer), its initial state at a cue (``initial_state``) and, for the hidden
    layer, how the recalled state is read (``readout``).
    """

    #: Whether the layer emits spikes (a pool of rates cannot sum them).
    spiking: ClassVar[bool] = False

    def equations(self, model):
        """The lines this neuron model adds to its layer (the hidden output, for a rate layer)."""
        return output_equation("s", model.hidden) if self.kind == "hidden_neuron" else ""

    def group_keywords(self):
        """`NeuronGroup` keywords: ``threshold``, ``reset``, ``refractory`` of a spiking model."""
        return {}

    def input_equation(self, variable, description):
        """The equation of the receiving layer's ``variable`` fed by this layer."""
        return SUMMED_INPUT.format(variable=variable, description=description)

    def projection(self, target, source, weight):
        """The `Synapses` model and ``on_pre`` (or None) of this layer's outgoing projection."""
        return SUMMED_PROJECTION.format(target=target, source=source, weight=weight), None

    def initial_state(self, n_neurons):
        """``{variable: values}`` of the layer's own variables at the start of a recall."""
        return {}

    def readout(self, memory, h, theta):
        """
        The recalled hidden state and extra outputs (hidden neuron models).

        Parameters
        ----------
        memory : AssociativeMemory
        h : ndarray, shape (n_copies, N_h)
            The unconstrained model's final h.
        theta : ndarray

        Returns
        -------
        hidden : ndarray, shape (n_copies, N_h)
        extras : dict
        """
        return memory.hidden_nonlinearity.numpy(h, theta), {}


@dataclass(frozen=True)
class Constraint(Piece):
    """
    Base of the connectivity constraints: hooks that change nothing unless overridden.
    """

    #: Whether the constraint removes synapses (masks).
    removes_synapses: ClassVar[bool] = False

    def synapse_weights(self, forward, backward, parameters):
        """The weights the two projections' synapses carry (the effective ones unless changed)."""
        return forward, backward

    def effective_weights(self, forward, backward):
        """
        The weights of the equivalent unconstrained model and which synapses exist.

        Returns
        -------
        forward, backward : ndarray
        forward_mask, backward_mask : ndarray of bool or None
            None where every synapse exists.
        """
        return forward, backward, None, None

    def prepare(self, forward, backward):
        """``(parameters, namespace)`` this constraint derives from the effective weights."""
        return {}, {}

    def input_parts(self, variable, description):
        """The parts ``[(name, description)]`` a layer's input ``variable`` is split into."""
        return [(variable, description)]

    def add_objects(self, context):
        """
        Further Brian2 objects of the dense formulation.

        Returns
        -------
        objects : dict
            ``{attribute of the memory: [objects]}``.
        equations : dict
        """
        return {}, {}

    def initial_state(self, memory, rates):
        """``[(group, variable, values)]`` of this constraint's objects at a cue."""
        return []

    def check_cues(self, memory, cues):
        """Refuse cues this constraint cannot take (raise `BioamError`)."""

    def event_terms(self):
        """Text the event formulation's templates take (slots ``hidden``, ``visible_rest``)."""
        return {}

    def event_pathways(self, context):
        """
        The event formulation's flip pathways, where this constraint replaces them.

        Parameters
        ----------
        context : dict
            ``visible``, ``hidden`` (the groups), ``forward``, ``backward``, ``backward_scaled``,
            ``parameters``, ``name``, ``n_copies``, ``namespace``, ``clock_kwds``,
            ``project``, ``backward_mask`` (see `bioam.event`).

        Returns
        -------
        dict or None
            ``coupling``, ``backward`` (`Synapses`), ``equations`` and optionally
            ``pools``, ``pool_synapses``, ``pool_rest``; None keeps the plain pathways.
        """
        return None


def _parse_value(key, text, spec, default=None):
    if hasattr(default, "dim"):
        return parse_time(f"{spec}: {key}", text.strip(), allow_zero=True)
    try:
        value = float(text)
    except ValueError:
        if default is None:  # an optional parameter: a number or a time
            return parse_time(f"{spec}: {key}", text.strip(), allow_zero=True)
        raise BioamError(f"parameter {key!r} of {spec!r} must be a number, got {text!r}") from None
    if isinstance(default, int) and not isinstance(default, bool):  # an integer parameter
        if not value.is_integer():
            raise BioamError(f"parameter {key!r} of {spec!r} must be an integer, got {text!r}")
        return int(value)
    return value


def get_piece(kind, spec, **parameters):
    """
    The piece of ``kind`` that ``spec`` names.

    Parameters
    ----------
    kind : str
        One of `KINDS`.
    spec : Piece or str
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
    if isinstance(spec, Piece):
        if spec.kind != kind:
            raise BioamError(f"{spec.spec()!r} is a {spec.kind} piece, not a {kind} one")
        return spec
    if not isinstance(spec, str):
        raise BioamError(f"a {kind} piece is a name or 'name:key=value', got {spec!r}")
    name, _, rest = spec.partition(":")
    registered = REGISTRY[kind]
    if name not in registered:
        raise BioamError(f"unknown {_WHAT[kind]} {name!r}; choose one of {sorted(registered)}")
    cls = registered[name]
    known = {field.name: field for field in fields(cls)}
    values = {key: value for key, value in parameters.items() if key in known and value is not None}
    for item in filter(None, rest.split(",")):
        key, equals, text = item.partition("=")
        key = key.strip()
        if not equals or key not in known:
            raise BioamError(
                f"{spec!r}: {name!r} takes "
                + (", ".join(f"{k}=VALUE" for k in sorted(known)) or "no parameters")
                + f", got {item!r}")
        field = known[key]
        default = field.default_factory() if field.default_factory is not MISSING else field.default
        values[key] = _parse_value(key, text, spec, default)
    return cls(**values)


