"""
Krotov & Hopfield's two-layer dense associative memories (2021), Eq. (32), Table 4.

::

    tau_v dv_i/dt  = -v_i  + sum_mu w_imu f(h_mu)      (Eq. 32a)
    tau_h dh_mu/dt = -h_mu + sum_i  w_mui g(v_i)       (Eq. 32b)

with each row ``w_mu`` of the memory matrix (N_h x N_v) one stored memory.
These are the network of Eq. (1) with other pieces (`bioam.pieces`) and
weights without the N_h^(-1/2) and N_h^(1/2)/N_v factors of Eq. (1):
`krotov_hopfield_weights` gives the ``xi`` and ``xi_back`` that
`bioam.build_network`, `bioam.recall` and `bioam.reference_recall` take, and
`MODELS` the pieces of each row of Table 4 (theta = 0).

Examples
--------
>>> import numpy as np
>>> from brian2 import ms
>>> from bioam import reference_recall
>>> from bioam.krotov_hopfield import MODELS, krotov_hopfield_weights
>>> memories = np.eye(3, 30)  # three one-hot memories of 30 visible neurons
>>> xi, xi_back = krotov_hopfield_weights(memories)
>>> result = reference_recall(xi, memories[[1]] * 0.8, xi_back=xi_back, theta=0.0,
...                           tau_v=20 * ms, tau_h=1 * ms, dt=0.05 * ms, duration=100 * ms,
...                           **MODELS['B'].options(beta=50))
>>> int(result['hidden'].argmax())
1
"""

from dataclasses import dataclass

import numpy as np

from .pieces import get_piece
from .validation import BioamError

__all__ = ["MODELS", "KrotovHopfieldModel", "krotov_hopfield_weights"]


@dataclass(frozen=True)
class KrotovHopfieldModel:
    """
    One row of Table 4: the pieces f and g of Eq. (32).

    Attributes
    ----------
    name : str
    activation : str
        The hidden piece f (a spec of `bioam.pieces`).
    visible_nonlinearity : str
        The visible piece g.
    paper_recall : float
        The recall performance the paper reports (Table 4), 0..1.
    """

    name: str
    activation: str
    visible_nonlinearity: str
    paper_recall: float

    def options(self, **parameters):
        """
        The keyword arguments of `bioam.build_network` / `recall` for this model.

        Parameters
        ----------
        **parameters
            Parameters of the hidden piece (``beta`` for Model B's softmax);
            the others are ignored.
        """
        return {"activation": get_piece("hidden", self.activation, **parameters),
                "visible_nonlinearity": get_piece("visible", self.visible_nonlinearity)}


#: The models of Table 4 (Krotov & Hopfield 2021 via paper 001, Appendix C).
MODELS = {
    "A(i)": KrotovHopfieldModel("A(i)", "power:n=5", "sign", 0.12),
    "A(ii)": KrotovHopfieldModel("A(ii)", "power:n=10", "sign", 0.84),
    "B": KrotovHopfieldModel("B", "softmax", "identity", 0.90),
    "C": KrotovHopfieldModel("C", "power:n=5", "normalised", 0.02),
}


def krotov_hopfield_weights(memories):
    """
    The weights of Eq. (1)'s network that realise Eq. (32) with these memories.

    Eq. (1) scales the backward sum by N_h^(-1/2) and the forward sum by
    N_h^(1/2)/N_v; Eq. (32) has no factors, so ``xi_back = N_h^(1/2) w`` and
    ``xi = N_v N_h^(-1/2) w^T``.

    Parameters
    ----------
    memories : array-like, shape (N_h, N_v)
        The memory matrix w: row mu is the memory stored by hidden neuron mu.

    Returns
    -------
    xi : ndarray, shape (N_v, N_h)
    xi_back : ndarray, shape (N_h, N_v)
    """
    memories = np.asarray(memories, dtype=np.float64)
    if memories.ndim != 2 or min(memories.shape) < 1:
        raise BioamError(f"memories must be a 2-d array (N_h, N_v), got shape {memories.shape}")
    if not np.all(np.isfinite(memories)):
        raise BioamError("memories contain NaN or infinite values")
    n_hidden, n_visible = memories.shape
    return n_visible / np.sqrt(n_hidden) * memories.T, np.sqrt(n_hidden) * memories
