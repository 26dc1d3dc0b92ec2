"""
The pieces of one network, chosen together: `Assembly` and `assemble`.

`assemble` turns the builder's arguments (pieces, names or specifications,
and the convenience options ``spiking``, ``dale`` and
``connection_probability``) into an `Assembly`, which asks every piece
whether it can be built with the others and whether the event formulation
can run it.

Examples
--------
>>> from bioam.pieces.assembly import assemble
>>> model = assemble(dale=True, connection_probability=0.5)
>>> [piece.spec() for piece in model.constraints]
['sparse:p=0.5,shared=0,seed=0', 'dale:tau_inhibitory=0ms']
>>> model.refusal(dt=0.1 * ms)[:40]
"Dale's law with sparse connectivity is n"
"""

from dataclasses import dataclass, replace

from brian2 import ms

from ..validation import BioamError
from .base import get_piece

__all__ = ["Assembly", "assemble", "ASSEMBLY_OPTIONS"]


@dataclass(frozen=True)
class Assembly:
    """
    The pieces of one network.

    Attributes
    ----------
    hidden, visible : Nonlinearity
        f(h) and g(v).
    hidden_neuron, visible_neuron : NeuronModel
    constraints : tuple of Constraint
    """

    hidden: object
    visible: object
    hidden_neuron: object
    visible_neuron: object
    constraints: tuple = ()

    @property
    def pieces(self):
        """Every piece, nonlinearities first."""
        return (self.hidden, self.visible, self.hidden_neuron, self.visible_neuron,
                *self.constraints)

    def event_reason(self):
        """Why the event formulation cannot run this network, or None."""
        return next(filter(None, (piece.event_reason() for piece in self.pieces)), None)

    def refusal(self, dt):
        """Why these pieces cannot be built together (at time step ``dt``), or None.

        The constraints are asked first: a combination they refuse is the
        first thing to say."""
        pieces = (*self.constraints, *self.pieces[:4])
        return next(filter(None, (piece.refuses(self, dt) for piece in pieces)), None)

    def at_duration(self, duration):
        """The pieces for a recall of ``duration``."""
        return replace(self, hidden_neuron=self.hidden_neuron.at_duration(duration),
                       visible_neuron=self.visible_neuron.at_duration(duration))

    def namespace(self):
        """What the pieces' Brian2 code needs."""
        namespace = {}
        for piece in self.pieces:
            namespace.update(piece.namespace())
        return namespace

    def terms(self, **defaults):
        """The layer templates' slots: ``defaults`` with what the pieces add."""
        terms = dict(defaults)
        for piece in self.pieces:
            for slot, text in piece.terms().items():
                terms[slot] = terms.get(slot, "") + text
        return terms

    def effective_weights(self, forward, backward):
        """The constraints' effective weights and masks (None where every synapse exists)."""
        forward_mask = backward_mask = None
        for constraint in self.constraints:
            forward, backward, new_forward, new_backward = constraint.effective_weights(
                forward, backward)
            forward_mask = _both(forward_mask, new_forward)
            backward_mask = _both(backward_mask, new_backward)
        return forward, backward, forward_mask, backward_mask

    def input_equations(self, variable, description, sender):
        """The equations of a layer's input ``variable`` fed by the ``sender`` neuron model."""
        parts = [(variable, description)]
        for constraint in self.constraints:
            parts = [part for name, text in parts for part in constraint.input_parts(name, text)]
        lines = [sender.input_equation(name, text) for name, text in parts]
        if len(parts) > 1:
            lines.insert(0, f"{variable} = {' + '.join(name for name, _ in parts)} : 1  "
                            f"# {description}")
        return "\n".join(lines), parts[0][0]

    def __str__(self):
        return ", ".join(f"{piece.kind}={piece.spec()}" for piece in self.pieces)


def _both(mask, other):
    if mask is None:
        return other
    return mask if other is None else mask & other


#: The `assemble` options that choose pieces (what `bioam.RecallSession` passes on).
ASSEMBLY_OPTIONS = ("activation", "visible_nonlinearity", "hidden_neuron", "visible_neuron",
                    "constraints", "steepness", "spiking", "dale", "baseline", "tau_inhibitory",
                    "connection_probability", "shared_connectivity", "connectivity_seed")


def assemble(activation="step", visible_nonlinearity="identity", hidden_neuron="rate",
             visible_neuron="rate", constraints=(), steepness=None, *, spiking=None, dale=False,
             baseline=None, tau_inhibitory=0 * ms, connection_probability=1.0,
             shared_connectivity=False, connectivity_seed=0):
    """
    The `Assembly` of `bioam.build_network`'s arguments.

    Parameters
    ----------
    activation, visible_nonlinearity, hidden_neuron, visible_neuron : Piece or str
        Pieces of `bioam.pieces`, by instance, name or specification.
    constraints : sequence of Constraint or str
    steepness : float, optional
        Slope of the sigmoid unless its specification sets it.
    spiking : SpikingHidden or True, optional
        Shorthand for ``hidden_neuron`` (and ``visible_neuron``) of `SpikingHidden`.
    dale, baseline, tau_inhibitory
        Shorthand for the constraint ``Dale(baseline, tau_inhibitory)``.
    connection_probability, shared_connectivity, connectivity_seed
        Shorthand for the constraint ``Sparse(p, shared, seed)`` (where p < 1).

    Returns
    -------
    Assembly
    """
    from .lif import SpikingHidden
    from .dale import Dale
    from .sparse import Sparse

    if spiking is True:
        spiking = SpikingHidden()
    if spiking:
        hidden_neuron, visible_neuron = spiking.pieces()
    constraints = [get_piece("constraint", constraint) for constraint in constraints]
    if not 0 < connection_probability <= 1:
        raise BioamError(
            f"connection_probability must be in (0, 1], got {connection_probability}")
    if connection_probability < 1:
        constraints.insert(0, Sparse(connection_probability, bool(shared_connectivity),
                                     connectivity_seed))
    if dale:
        constraints.append(Dale(baseline, tau_inhibitory))
    elif float(tau_inhibitory) < 0:
        raise BioamError(f"tau_inhibitory must be >= 0, got {tau_inhibitory}")
    names = [constraint.name for constraint in constraints]
    if len(set(names)) < len(names):
        raise BioamError(f"each constraint can be given once, got {', '.join(names)}")
    return Assembly(get_piece("hidden", activation, steepness=steepness),
                    get_piece("visible", visible_nonlinearity),
                    get_piece("hidden_neuron", hidden_neuron),
                    get_piece("visible_neuron", visible_neuron), tuple(constraints))
