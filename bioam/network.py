"""
The threshold dense associative memory of Kafraj, Krotov & Latham as Brian2 objects.

`build_network` returns ordinary Brian2 objects (two `NeuronGroup` and two
`Synapses`) that implement Eq. (1) of the paper::

    tau_v dv_i/dt  = -v_i  + N_h^(-1/2)    sum_mu xi_imu s_mu        (1a)
    tau_h dh_mu/dt = -h_mu + N_h^(1/2)/N_v sum_i  xi_mui v_i         (1b)
    s_mu = Theta(h_mu - theta_mu)                                    (2, 4)

The sums are Brian2 summed variables computed by the two projections; both
are evaluated from the state at time t before either group is updated, so a
time step is one simultaneous (forward Euler) step of the whole system.

Every variant (asymmetric weights, per-neuron thresholds, sigmoid activation)
is an argument of this one builder. Several independent copies of the network
can be packed into the same objects (``n_copies``), which is how many cues are
recalled in one simulation (see `bioam.recall`).
"""

import numpy as np
from brian2 import NeuronGroup, Synapses, ms
from brian2.units.fundamentalunits import check_units
from brian2.utils.logger import get_logger

from .activations import get_activation
from .validation import BioamError, check_positive, check_theta, check_time, check_weights

__all__ = ["AssociativeMemory", "build_network", "VISIBLE_EQUATIONS", "HIDDEN_EQUATIONS"]

logger = get_logger(__name__)

#: Visible neurons, Eq. (1a). ``I_v`` is the summed input sum_mu xi_imu s_mu.
VISIBLE_EQUATIONS = """
dv/dt = (-v + I_v / sqrt(N_h)) / tau_v : 1  # Eq. 1a
I_v : 1  # sum over hidden neurons of xi_imu * s_mu (summed variable)
"""

#: Hidden neurons, Eq. (1b) with the activation s of Eq. (2)/(4).
#: ``{activation}`` is replaced by the chosen activation's expression.
HIDDEN_EQUATIONS = """
dh/dt = (-h + sqrt(N_h) / N_v * I_h) / tau_h : 1  # Eq. 1b
I_h : 1  # sum over visible neurons of xi_mui * v_i (summed variable)
theta : 1 (constant)  # threshold, one value per neuron (Eq. 2)
s = {activation} : 1  # activation s_mu (Eq. 4)
"""

#: Visible -> hidden projection: the summed input of Eq. (1b).
FORWARD_MODEL = """
w : 1 (constant)  # xi_mui
I_h_post = w * v_pre : 1 (summed)
"""

#: Hidden -> visible projection: the summed input of Eq. (1a).
BACKWARD_MODEL = """
w : 1 (constant)  # xi_imu (or the separate backward matrix)
I_v_post = w * s_pre : 1 (summed)
"""


class AssociativeMemory:
    """
    The Brian2 objects of one (possibly replicated) associative memory.

    Attributes
    ----------
    visible : NeuronGroup
        ``n_copies * N_v`` visible neurons, variable ``v``.
    hidden : NeuronGroup
        ``n_copies * N_h`` hidden neurons, variables ``h``, ``theta`` and the
        activation ``s``.
    visible_to_hidden, hidden_to_visible : Synapses
        The two projections, weight variable ``w``.
    n_visible, n_hidden, n_copies : int
    parameters : dict
        The parameters the network was built with.
    """

    def __init__(self, visible, hidden, visible_to_hidden, hidden_to_visible,
                 n_visible, n_hidden, n_copies, parameters):
        self.visible = visible
        self.hidden = hidden
        self.visible_to_hidden = visible_to_hidden
        self.hidden_to_visible = hidden_to_visible
        self.n_visible = n_visible
        self.n_hidden = n_hidden
        self.n_copies = n_copies
        self.parameters = parameters

    @property
    def objects(self):
        """The four Brian2 objects, to pass to `Network` or `Network.add`."""
        return [self.visible, self.hidden, self.visible_to_hidden, self.hidden_to_visible]

    @property
    def equations(self):
        """The equation strings (with their comments) of every object, keyed by object."""
        return {
            "visible": VISIBLE_EQUATIONS.strip(),
            "hidden": HIDDEN_EQUATIONS.format(
                activation=get_activation(self.parameters["activation"]).expression).strip(),
            "visible_to_hidden": FORWARD_MODEL.strip(),
            "hidden_to_visible": BACKWARD_MODEL.strip(),
        }

    def set_cues(self, cues):
        """
        Set the initial state of Eq. (12): ``v`` = cues, ``h`` = 0.

        Parameters
        ----------
        cues : array-like, shape (n_copies, N_v), or (N_v,) for one copy
        """
        cues = np.asarray(cues, dtype=np.float64)
        if cues.ndim == 1 and self.n_copies == 1:
            cues = cues[None, :]
        if cues.shape != (self.n_copies, self.n_visible):
            raise BioamError(
                f"cues must have shape (n_copies, N_v) = ({self.n_copies}, "
                f"{self.n_visible}), got {cues.shape}"
            )
        self.visible.v = cues.ravel()
        self.hidden.h = 0

    def __repr__(self):
        return (
            f"AssociativeMemory(N_v={self.n_visible}, N_h={self.n_hidden}, "
            f"n_copies={self.n_copies}, activation={self.parameters['activation']!r})"
        )


def block_indices(n_pre, n_post, n_copies):
    """
    Pre- and postsynaptic indices of ``n_copies`` dense, disjoint blocks.

    Synapse ``(b * n_pre + k) * n_post + m`` connects neuron ``k`` of block ``b``
    of the source to neuron ``m`` of block ``b`` of the target, the order in
    which Brian2 creates the synapses of the generator
    ``j = 'm + (i // n_pre) * n_post for m in range(n_post)'``.
    """
    pre = np.repeat(np.arange(n_pre * n_copies, dtype=np.int32), n_post)
    block = pre // n_pre
    post = (block * n_post + np.tile(np.arange(n_post, dtype=np.int32), n_pre * n_copies)).astype(np.int32)
    return pre, post


def _connect_blocks(synapses, n_pre, n_post, n_copies, standalone):
    if standalone:
        # Generated code; no index arrays stored in the project.
        synapses.connect(j=f"m + (i // {n_pre}) * {n_post} for m in range({n_post})")
    else:
        pre, post = block_indices(n_pre, n_post, n_copies)
        synapses.connect(i=pre, j=post)


@check_units(tau_v=ms, tau_h=ms)
def build_network(xi, *, xi_back=None, theta=0.5, tau_v=20 * ms, tau_h=1 * ms,
                  activation="step", steepness=20.0, n_copies=1, method="euler",
                  dt=None, name="bioam"):
    """
    Build the associative memory of Eq. (1) as Brian2 objects.

    Parameters
    ----------
    xi : array-like, shape (N_v, N_h)
        Weights xi_imu (Eq. 3 for random weights; learned weights otherwise).
        Used for both projections unless ``xi_back`` is given.
    xi_back : array-like, shape (N_h, N_v), optional
        Separate hidden -> visible weights (asymmetric network, Appendix E).
    theta : float or array-like of shape (N_h,)
        Threshold(s); one value per hidden neuron gives heterogeneous
        thresholds. Default 0.5, the optimum of Section 2.1.
    tau_v, tau_h : Quantity
        Time constants; the paper uses ``tau_v = 20 tau_h`` (Figure 1).
    activation : {'step', 'sigmoid'}
        Heaviside step (Eq. 2) or a sigmoid of slope ``steepness`` (Appendix F).
    steepness : float
        Slope of the sigmoid activation (unused for 'step').
    n_copies : int
        Number of independent copies packed into the objects (block-diagonal
        connectivity), one per cue recalled in parallel.
    method : str
        Brian2 integration method; 'euler' matches `bioam.reference`.
    dt : Quantity, optional
        Time step of the objects' clock (default: the global ``defaultclock``).
    name : str
        Prefix of the objects' names.

    Returns
    -------
    AssociativeMemory

    Examples
    --------
    >>> import numpy as np
    >>> from brian2 import Network, StateMonitor, ms
    >>> from bioam import build_network
    >>> xi = np.random.default_rng(0).standard_normal((200, 2))
    >>> memory = build_network(xi, tau_v=20*ms, tau_h=1*ms)
    >>> memory.set_cues(xi @ [1, 0] / np.sqrt(2))  # target s = (1, 0), Eq. 12
    >>> net = Network(memory.objects)
    >>> net.run(50*ms)
    >>> memory.hidden.s[:]
    array([1, 0], dtype=int32)
    """
    xi, xi_back = check_weights(xi, xi_back)
    n_visible, n_hidden = xi.shape
    theta = check_theta(theta, n_hidden)
    check_time("tau_v", tau_v)
    check_time("tau_h", tau_h)
    act = get_activation(activation)
    if activation == "sigmoid":
        check_positive("steepness", steepness)
    if int(n_copies) != n_copies or n_copies < 1:
        raise BioamError(f"n_copies must be a positive integer, got {n_copies}")
    n_copies = int(n_copies)

    from brian2.devices.device import get_device
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

    standalone = isinstance(get_device(), CPPStandaloneDevice)
    namespace = {
        "N_v": n_visible,
        "N_h": n_hidden,
        "tau_v": tau_v,
        "tau_h": tau_h,
        "steepness": float(steepness),
    }
    clock_kwds = {} if dt is None else {"dt": dt}
    visible = NeuronGroup(n_copies * n_visible, VISIBLE_EQUATIONS, method=method,
                          namespace=namespace, name=f"{name}_visible", **clock_kwds)
    hidden = NeuronGroup(n_copies * n_hidden,
                         HIDDEN_EQUATIONS.format(activation=act.expression),
                         method=method, namespace=namespace, name=f"{name}_hidden",
                         **clock_kwds)
    hidden.theta = np.tile(theta, n_copies)

    forward = Synapses(visible, hidden, FORWARD_MODEL, namespace=namespace,
                       name=f"{name}_visible_to_hidden", **clock_kwds)
    _connect_blocks(forward, n_visible, n_hidden, n_copies, standalone)
    forward.w = np.tile(xi.ravel(), n_copies)  # xi[k, m] at synapse k * N_h + m

    backward = Synapses(hidden, visible, BACKWARD_MODEL, namespace=namespace,
                        name=f"{name}_hidden_to_visible", **clock_kwds)
    _connect_blocks(backward, n_hidden, n_visible, n_copies, standalone)
    backward.w = np.tile(xi_back.ravel(), n_copies)  # xi_back[m, k] at m * N_v + k

    parameters = {
        "n_visible": n_visible,
        "n_hidden": n_hidden,
        "theta": theta,
        "tau_v": tau_v,
        "tau_h": tau_h,
        "activation": activation,
        "steepness": float(steepness),
        "asymmetric": not np.array_equal(xi_back, xi.T),
        "method": method,
    }
    return AssociativeMemory(visible, hidden, forward, backward, n_visible, n_hidden,
                             n_copies, parameters)
