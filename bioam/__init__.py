"""
bioam: biologically plausible dense associative memories for Brian2.

The threshold associative memory of Kafraj, Krotov & Latham (ICLR 2026),
Eq. (1), built from ordinary Brian2 objects, recalled on every Brian2 target,
and checked against an independent NumPy reference.
"""

from ._version import __version__
from .network import AssociativeMemory, build_network
from .pieces import REGISTRY as PIECES
from .pieces import get_piece
from .recall import DEFAULTS, RecallResult, RecallSession, recall
from .reference import fixed_point_hidden_state, reference_recall
from .validation import BioamError

__all__ = [
    "__version__",
    "AssociativeMemory",
    "BioamError",
    "DEFAULTS",
    "PIECES",
    "RecallResult",
    "RecallSession",
    "build_network",
    "fixed_point_hidden_state",
    "get_piece",
    "recall",
    "reference_recall",
]
