"""
Learning the weights and threshold with the rule of Section 3.1 (Eq. 17).

The weights xi (N_v x N_h) and the threshold theta minimise the distance
between each stored image v_m and the steady visible state of Eq. (16) that
its own hidden code produces::

    L = 1/M sum_m || v_m - N_h^(-1/2) xi_back^T s_m ||^2                  (17)
    s_m = sigma(beta (N_h^(1/2)/N_v xi^T v_m - theta))

where the step function Theta of the paper is replaced by a steep logistic
sigmoid sigma of steepness beta so that the loss has a gradient, and
xi_back = xi^T for the symmetric network of the paper (a separate decoder
matrix with ``asymmetric=True``, Appendix E). With
``surrogate='straight_through'`` the forward pass uses Theta itself (the loss
is Eq. 17 exactly) and the sigmoid only supplies the derivative of Theta in the
backward pass, the surrogate gradient of spiking-network training (Neftci,
Mostafa & Zenke 2019); training can also start from a saved model
(``init_from``). The gradient is derived by hand
(`loss_and_gradient`) and the parameters are updated with Adam on shuffled
minibatches, in float32, from a seeded Xavier initialisation.

A checkpoint is written atomically at the end of every epoch; it holds the
parameters, the Adam moments, the random generator's state and the history,
so that ``train(..., resume=True)`` continues a killed run and ends at the
very same weights, bit for bit, as a run that was never interrupted.
"""

import hashlib
import json
import os
import time
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

import numpy as np
from scipy.special import expit

from ._version import __version__
from .evaluation import count_unique, hidden_potential
from .io import check_output_paths, link_aside, read_npz, write_npz_atomic
from .models import load_model
from .progress import progress_reporter
from .validation import BioamError, check_memory, check_seed

__all__ = [
    "TrainingConfig",
    "TrainedModel",
    "train",
    "loss_and_gradient",
    "colliding_images",
    "steepness_at_epoch",
    "learning_rate_at_epoch",
    "xavier_uniform",
    "nonnegative_decoder", "matched_encoder_scale",
]

_THETA_MODES = ("global", "per_neuron")
_SURROGATES = ("sigmoid", "straight_through")
_CHECKPOINT_FORMAT = 1


@dataclass
class TrainingConfig:
    """
    Settings of one training run.

    Attributes
    ----------
    n_hidden : int
        Number of hidden neurons N_h.
    epochs : int
        Passes over the images.
    batch_size : int
        Images per Adam step (the last batch of an epoch may be smaller).
    learning_rate : float
        Adam step size at the first epoch.
    learning_rate_end : float, optional
        Step size at the last epoch, reached by geometric decay over all
        ``epochs``; None keeps it constant.
    steepness : float
        Slope beta of the sigmoid that replaces Theta in Eq. (17), at the first epoch.
    steepness_end : float, optional
        Slope at the last annealing epoch; beta grows geometrically from
        ``steepness`` to ``steepness_end``. None keeps it constant.
    anneal_epochs : int, optional
        Number of epochs over which beta is annealed (then held); None: all ``epochs``.
    theta_mode : {'global', 'per_neuron'}
        One threshold for all hidden neurons (the paper) or one per neuron.
    theta_init : float
        Initial threshold (0.5, the theoretical optimum of Section 2).
    learn_theta : bool
        Train theta; False keeps it at ``theta_init``.
    asymmetric : bool
        Train a separate decoder xi_back (N_h x N_v) for the hidden -> visible
        weights instead of using xi^T. The encoder's scale is then free: it
        can shrink the potentials h until the sigmoid is no longer steep, so
        the hidden codes stop being binary; train asymmetric networks with
        ``surrogate='straight_through'`` (and watch ``hard_loss``).
    margin : float
        kappa of the margin term: a squared hinge penalty on
        ``max(0, kappa - |h - theta|)`` at the training images, which keeps the
        potentials away from the threshold. 0 switches it off.
    margin_weight : float
        Weight of the margin term in the loss.
    margin_off : float, optional
        kappa for the neurons that are off (h < theta), when it differs from
        ``margin`` (the on neurons' kappa): the hinge is then
        max(0, margin - (h - theta)) for on and max(0, margin_off - (theta - h))
        for off neurons. None: ``margin`` for both.
    fixed_point_margin : float
        kappa of the fixed-point term: each image's code s = Theta(h - theta)
        should be a fixed point of the network with a margin, (2 s - 1)(h* - theta)
        >= kappa for every hidden neuron, where h* = N_h^(1/2) / N_v xi^T v* is the
        hidden potential of the code's own memory v* = N_h^(-1/2) xi_back^T s
        (Eqs. 5 and 16); a squared hinge, the code held fixed. 0 switches it off.
        The recall dynamics end in a fixed point near the training code; this
        term makes that fixed point the code itself, so that distinct codes
        become distinct final states.
    fixed_point_weight : float
        Weight of the fixed-point term per image (comparable to the
        reconstruction loss of one image, about 15-20 on MNIST, to matter).
    collision_boost : float
        Per-image loss weights: after every epoch the weight of each image
        whose code equals another image's code is multiplied by this factor
        (the images that collide, mostly thin 1s on MNIST, are those Eq. 17
        weighs least), up to ``collision_weight_cap``. 1 switches it off.
    collision_weight_cap : float
        Largest per-image weight.
    surrogate : {'sigmoid', 'straight_through'}
        'sigmoid' puts sigma(beta (h - theta)) in place of Theta in Eq. (17)
        (the paper). 'straight_through' keeps Theta in the loss and uses
        beta sigma'(beta (h - theta)) as its derivative only: the codes are
        binary during training, so a separate decoder cannot profit from
        graded codes that the network never produces (the collapse described
        under ``asymmetric``).
    init_from : str, optional
        Path of a model file (`bioam.models.save_model`) whose ``xi``,
        ``theta`` and ``xi_back`` start the training instead of Xavier
        weights. A global theta is copied to every neuron for
        ``theta_mode='per_neuron'``; with ``asymmetric=True`` and a model
        without ``xi_back`` the decoder starts as ``xi.T``.
    seed : int
        Seed of the initial weights and of the order of the minibatches.
    constraints : tuple of callable
        Projections applied after every Adam step, each called as
        ``constraint(parameters)`` with the dict of parameter arrays
        (``xi``, ``theta`` and, when asymmetric, ``xi_back``), which it
        changes in place; see `nonnegative_decoder`.
    monitor_size : int
        Number of images (the first ones) on which the unique hidden codes
        are counted after each epoch.
    adam_beta1, adam_beta2, adam_epsilon : float
        Adam's decay rates and regulariser.
    """

    n_hidden: int = 50
    epochs: int = 10
    batch_size: int = 128
    learning_rate: float = 1e-3
    learning_rate_end: float | None = None
    steepness: float = 20.0
    steepness_end: float | None = None
    anneal_epochs: int | None = None
    theta_mode: str = "global"
    theta_init: float = 0.5
    learn_theta: bool = True
    asymmetric: bool = False
    margin: float = 0.0
    margin_weight: float = 1.0
    margin_off: float | None = None
    fixed_point_margin: float = 0.0
    fixed_point_weight: float = 1.0
    collision_boost: float = 1.0
    collision_weight_cap: float = 20.0
    surrogate: str = "sigmoid"
    init_from: str | None = None
    seed: int = 0
    constraints: tuple = field(default_factory=tuple)
    monitor_size: int = 10000
    adam_beta1: float = 0.9
    adam_beta2: float = 0.999
    adam_epsilon: float = 1e-8

    def __post_init__(self):
        self.validate()  # a bad setting is refused where it is made, not epochs later

    def validate(self):
        """Raise `BioamError` for the first setting out of its range."""
        for name in ("n_hidden", "epochs", "batch_size", "monitor_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise BioamError(f"{name} must be a positive whole number, got {value!r}")
        if self.anneal_epochs is not None and (
                not isinstance(self.anneal_epochs, (int, np.integer)) or self.anneal_epochs < 1):
            raise BioamError(
                f"anneal_epochs must be a positive whole number or None, got {self.anneal_epochs!r}"
            )
        check_seed(self.seed)
        positive = ["learning_rate", "steepness", "adam_epsilon"]
        if self.steepness_end is not None:
            positive.append("steepness_end")
        if self.learning_rate_end is not None:
            positive.append("learning_rate_end")
        for name in positive:
            value = getattr(self, name)
            if not isinstance(value, (int, float, np.number)) or not np.isfinite(value) \
                    or value <= 0:
                raise BioamError(f"{name} must be a positive number, got {value!r}")
        nonnegative = ["margin", "margin_weight", "fixed_point_margin", "fixed_point_weight"]
        if self.margin_off is not None:
            nonnegative.append("margin_off")
        for name in nonnegative:
            value = getattr(self, name)
            if not isinstance(value, (int, float, np.number)) or not np.isfinite(value) \
                    or value < 0:
                raise BioamError(f"{name} must be a number >= 0, got {value!r}")
        for name in ("collision_boost", "collision_weight_cap"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
                    or not np.isfinite(value) or value < 1:
                raise BioamError(f"{name} must be a number >= 1 (1: off), got {value!r}")
        for name in ("adam_beta1", "adam_beta2"):
            value = getattr(self, name)
            if not 0 <= value < 1:
                raise BioamError(f"{name} must lie in [0, 1), got {value!r}")
        if not np.isfinite(self.theta_init):
            raise BioamError(f"theta_init must be a finite number, got {self.theta_init!r}")
        if self.theta_mode not in _THETA_MODES:
            raise BioamError(
                f"theta_mode must be 'global' or 'per_neuron', got {self.theta_mode!r}"
            )
        if self.surrogate not in _SURROGATES:
            raise BioamError(
                f"surrogate must be 'sigmoid' or 'straight_through', got {self.surrogate!r}"
            )
        if self.init_from is not None and not isinstance(self.init_from, (str, os.PathLike)):
            raise BioamError(f"init_from must be a model file path or None, got {self.init_from!r}")
        for constraint in self.constraints:
            if not callable(constraint):
                raise BioamError(
                    f"constraints must be callables taking the parameter dict, got {constraint!r}"
                )

    def as_json_dict(self):
        """The settings as JSON-ready values (constraints by name)."""
        settings = asdict(self)
        if settings["init_from"] is not None:
            settings["init_from"] = os.fspath(settings["init_from"])
        settings["constraints"] = [
            getattr(constraint, "__name__", repr(constraint)) for constraint in self.constraints
        ]
        return settings


@dataclass
class TrainedModel:
    """
    The result of `train`.

    Attributes
    ----------
    xi : ndarray of float32, shape (N_v, N_h)
        Forward weights (and backward weights when ``xi_back`` is None).
    theta : float or ndarray of float32, shape (N_h,)
        The learned threshold: a float for ``theta_mode='global'``.
    xi_back : ndarray of float32, shape (N_h, N_v), or None
        Separate backward weights of an asymmetric network.
    history : list of dict
        One dict per epoch: ``epoch``, ``loss`` (mean of Eq. 17 per image over
        the epoch's minibatches, margin term included), ``hard_loss`` (Eq. 17
        with the step function itself, on the monitored images), ``steepness``,
        ``theta_mean``, ``unique_codes`` and ``monitor_size``, ``seconds``.
    config : TrainingConfig
    init_sha256 : str or None
        SHA-256 of the ``init_from`` model file the training started from.
    """

    xi: np.ndarray
    theta: object
    xi_back: np.ndarray | None
    history: list
    config: TrainingConfig
    init_sha256: str | None = None

    def metadata(self, dataset=None):
        """
        The description stored with the weights by `bioam.models.save_model`.

        Parameters
        ----------
        dataset : str, optional
            Name of the training images.

        Returns
        -------
        dict
        """
        config = self.config
        return {
            "dataset": dataset,
            "n_visible": int(self.xi.shape[0]),
            "n_hidden": int(self.xi.shape[1]),
            "seed": int(config.seed),
            "epochs": len(self.history),
            "steepness": float(config.steepness),
            "steepness_end": config.steepness_end,
            "final_loss": self.history[-1]["loss"] if self.history else None,
            "final_unique_codes": self.history[-1]["unique_codes"] if self.history else None,
            "training": config.as_json_dict(),
            "init_from_sha256": self.init_sha256,
        }


def steepness_at_epoch(config, epoch):
    """
    The sigmoid slope beta used in epoch ``epoch`` (counted from 0).

    Geometric annealing from ``config.steepness`` to ``config.steepness_end``
    over ``config.anneal_epochs`` (default all epochs), then constant.
    """
    if config.steepness_end is None:
        return float(config.steepness)
    span = config.anneal_epochs if config.anneal_epochs is not None else config.epochs
    if span <= 1:
        return float(config.steepness_end)
    fraction = min(epoch, span - 1) / (span - 1)
    return float(config.steepness * (config.steepness_end / config.steepness) ** fraction)


def learning_rate_at_epoch(config, epoch):
    """
    The Adam step size used in epoch ``epoch`` (counted from 0): geometric decay
    from ``config.learning_rate`` to ``config.learning_rate_end`` over all epochs.
    """
    if config.learning_rate_end is None or config.epochs <= 1:
        return float(config.learning_rate)
    fraction = epoch / (config.epochs - 1)
    return float(config.learning_rate
                 * (config.learning_rate_end / config.learning_rate) ** fraction)


def xavier_uniform(rng, n_in, n_out, dtype=np.float32):
    """
    Glorot & Bengio (2010) uniform initialisation U(-a, a), a = sqrt(6 / (n_in + n_out)).

    Returns
    -------
    ndarray, shape (n_in, n_out)
    """
    bound = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-bound, bound, size=(n_in, n_out)).astype(dtype)


def nonnegative_decoder(parameters):
    """
    Constraint: clip the hidden -> visible weights to >= 0 (in place).

    The decoder is ``xi_back`` for an asymmetric network, else ``xi`` itself
    (which then makes the forward weights non-negative as well).
    """
    decoder = parameters["xi_back"] if "xi_back" in parameters else parameters["xi"]
    np.maximum(decoder, 0, out=decoder)


def matched_encoder_scale(parameters):
    """
    Constraint for asymmetric networks: each encoder column xi[:, mu] keeps the
    norm of its decoder row xi_back[mu, :] (in place).

    Without it the encoder's scale is free in Eq. (17), and training can shrink
    every ``|h - theta|`` until the sigmoid is soft and the codes lose their meaning.
    On MNIST (N_h = 50, 100 epochs) it was not enough: theta and ``|h - theta|``
    still shrank (hard loss 103 against 10 with the sigmoid); the
    straight-through surrogate (``surrogate='straight_through'``) is what
    fixes it. Does nothing for symmetric networks.
    """
    if "xi_back" not in parameters:
        return
    encoder, decoder = parameters["xi"], parameters["xi_back"]
    norms = np.linalg.norm(encoder, axis=0)
    target = np.linalg.norm(decoder, axis=1)
    encoder *= (target / np.maximum(norms, 1e-12)).astype(encoder.dtype)


def loss_and_gradient(xi, theta, batch, steepness, *, xi_back=None, margin=0.0,
                      margin_weight=1.0, straight_through=False, margin_off=None,
                      fixed_point_margin=0.0, fixed_point_weight=1.0, weights=None):
    """
    The loss of Eq. (17) on a minibatch and its gradient, derived by hand.

    Parameters
    ----------
    xi : ndarray, shape (N_v, N_h)
    theta : float or ndarray, shape (1,) for one global threshold or (N_h,)
    batch : ndarray, shape (B, N_v)
        Target visible states v_m.
    steepness : float
        Slope beta of the sigmoid replacing Theta.
    xi_back : ndarray, shape (N_h, N_v), optional
        Separate decoder; default xi^T (symmetric network).
    margin, margin_weight : float
        kappa and weight of the penalty
        ``margin_weight / B sum max(0, kappa - |h - theta|)^2``.
    margin_off : float, optional
        kappa for the neurons below threshold (default ``margin``).
    fixed_point_margin, fixed_point_weight : float
        kappa and weight of the fixed-point penalty
        ``fixed_point_weight / B sum max(0, kappa - (2 s - 1)(h* - theta))^2``
        (`TrainingConfig.fixed_point_margin`).
    weights : ndarray, shape (B,), optional
        Per-image weights of the reconstruction term of Eq. 17 (default 1); the
        margin terms keep weight 1 per image, so that images with large weights
        do not take the fixed points of the others away.
    straight_through : bool
        Use Theta in the loss and the sigmoid's slope only as its derivative
        (a surrogate gradient): the returned loss is Eq. (17) exactly and the
        gradient for the decoder is exact, the one for xi and theta is not
        the gradient of any loss.

    Returns
    -------
    loss : float
        1/B sum_m ||v_m - N_h^(-1/2) xi_back^T s_m||^2 (+ margin term).
    gradient : dict of ndarray
        ``xi``, ``theta`` (same shapes as the inputs) and, when given, ``xi_back``.
        Computed in the floating type of the inputs.
    """
    n_visible, n_hidden = xi.shape
    n_batch = batch.shape[0]
    theta = np.asarray(theta, dtype=xi.dtype)
    decoder = xi.T if xi_back is None else xi_back
    decoder_scale = float(1.0 / np.sqrt(n_hidden))
    encoder_scale = float(np.sqrt(n_hidden) / n_visible)

    image_weights = (np.ones((n_batch, 1), dtype=xi.dtype) if weights is None
                     else np.asarray(weights, dtype=xi.dtype).reshape(n_batch, 1))

    potential = hidden_potential(xi, batch)  # Eq. 1b at equilibrium, v = v_m
    above = potential - theta
    smooth = expit(steepness * above)  # sigma replaces Theta in Eq. 17
    hidden = (above > 0).astype(xi.dtype) if straight_through else smooth
    residual = (hidden @ decoder) * decoder_scale - batch  # Eq. 16 minus the target
    loss = float(np.sum(image_weights * residual * residual)) / n_batch

    grad_reconstruction = residual * (2.0 / n_batch) * image_weights
    grad_decoder = (hidden.T @ grad_reconstruction) * decoder_scale
    grad_hidden = (grad_reconstruction @ decoder.T) * decoder_scale
    grad_potential = grad_hidden * (steepness * smooth * (1.0 - smooth))
    if margin > 0 or (margin_off or 0) > 0:
        kappa = margin if margin_off is None else np.where(above > 0, margin, margin_off)
        shortfall = np.maximum(kappa - np.abs(above), 0.0)
        loss += margin_weight * float(np.sum(shortfall * shortfall)) / n_batch
        grad_potential -= (2.0 * margin_weight / n_batch) * shortfall * np.sign(above)
    grad_encoder_extra = grad_decoder_extra = grad_fixed = None
    if fixed_point_margin > 0:
        # the code s of each image as a fixed point of Eqs. 1 with a margin (Eq. 5):
        # h* = N_h^(1/2)/N_v xi^T v*, v* = N_h^(-1/2) decoder^T s, so h* = (s decoder) xi / N_v
        codes = (above > 0).astype(xi.dtype)
        sign = 2.0 * codes - 1.0
        memory = codes @ decoder                        # N_h^(1/2) v*, shape (B, N_v)
        fixed_above = (memory @ xi) / n_visible - theta
        shortfall = np.maximum(fixed_point_margin - sign * fixed_above, 0.0)
        loss += fixed_point_weight * float(np.sum(shortfall * shortfall)) / n_batch
        grad_fixed = (-2.0 * fixed_point_weight / n_batch) * shortfall * sign
        grad_encoder_extra = (memory.T @ grad_fixed) / n_visible
        grad_decoder_extra = (codes.T @ (grad_fixed @ xi.T)) / n_visible

    grad_theta = -np.sum(grad_potential, axis=0)
    if grad_fixed is not None:
        grad_theta -= np.sum(grad_fixed, axis=0)
    if theta.size == 1:
        grad_theta = np.sum(grad_theta, keepdims=True)
    gradient = {
        "xi": (batch.T @ grad_potential) * encoder_scale,
        "theta": grad_theta.reshape(theta.shape),
    }
    if grad_encoder_extra is not None:
        gradient["xi"] += grad_encoder_extra
        grad_decoder = grad_decoder + grad_decoder_extra
    if xi_back is None:
        gradient["xi"] += grad_decoder.T
    else:
        gradient["xi_back"] = grad_decoder
    return loss, gradient


class _Adam:
    """Adam (Kingma & Ba 2015) on a dict of float32 arrays, updated in place."""

    def __init__(self, parameters, learning_rate, beta1, beta2, epsilon):
        self.learning_rate, self.beta1, self.beta2, self.epsilon = (
            float(learning_rate), float(beta1), float(beta2), float(epsilon))
        self.step_count = 0
        self.first = {name: np.zeros_like(value) for name, value in parameters.items()}
        self.second = {name: np.zeros_like(value) for name, value in parameters.items()}

    def step(self, parameters, gradient):
        self.step_count += 1
        correction1 = 1.0 - self.beta1 ** self.step_count
        correction2 = 1.0 - self.beta2 ** self.step_count
        for name, grad in gradient.items():
            first, second = self.first[name], self.second[name]
            first *= self.beta1
            first += (1.0 - self.beta1) * grad
            second *= self.beta2
            second += (1.0 - self.beta2) * (grad * grad)
            denominator = np.sqrt(second / correction2)
            denominator += self.epsilon
            parameters[name] -= (self.learning_rate / correction1) * first / denominator


def colliding_images(codes):
    """
    Which rows of ``codes`` equal another row (the images that share their hidden code).

    Examples
    --------
    >>> colliding_images(np.array([[1, 0], [0, 1], [1, 0]], dtype=bool))
    array([ True, False,  True])
    """
    packed = np.packbits(np.asarray(codes, dtype=bool), axis=1)
    _, inverse, counts = np.unique(packed, axis=0, return_inverse=True, return_counts=True)
    return counts[inverse.ravel()] > 1


def _check_images(images):
    images = np.asarray(images)
    if images.ndim != 2 or images.shape[0] < 1 or images.shape[1] < 1:
        raise BioamError(
            f"training images must have shape (n_images, N_v), got {images.shape}; "
            "flatten each image to one row"
        )
    if not (np.issubdtype(images.dtype, np.floating) or np.issubdtype(images.dtype, np.integer)):
        raise BioamError(f"training images have dtype {images.dtype}; give float values")
    images = np.ascontiguousarray(images, dtype=np.float32)
    if not np.all(np.isfinite(images)):
        raise BioamError("training images contain NaN or infinite values; clean them first")
    return images


def _fingerprint(images):
    """Shape and CRC-32 of the training images, to refuse resuming on other data."""
    return {"n_images": int(images.shape[0]), "n_visible": int(images.shape[1]),
            "crc32": zlib.crc32(memoryview(images).cast("B"))}


def _json_array(value):
    return np.array(json.dumps(value))


def _save_checkpoint(path, parameters, adam, rng, epoch, config, history, fingerprint,
                     init_sha256, image_weights=None):
    arrays = {f"param_{name}": value for name, value in parameters.items()}
    arrays.update({f"adam_first_{name}": value for name, value in adam.first.items()})
    arrays.update({f"adam_second_{name}": value for name, value in adam.second.items()})
    arrays.update(
        adam_step=np.array(adam.step_count, dtype=np.int64),
        epoch=np.array(epoch, dtype=np.int64),
        rng_state=_json_array(rng.bit_generator.state),
        config=_json_array(config.as_json_dict()),
        history=_json_array(history),
        data=_json_array(fingerprint),
        init_sha256=_json_array(init_sha256),
        format=np.array(_CHECKPOINT_FORMAT, dtype=np.int64),
        written=_json_array(datetime.now(timezone.utc).isoformat(timespec="seconds")),
        version=_json_array(__version__),
    )
    if image_weights is not None:
        arrays["image_weights"] = image_weights
    write_npz_atomic(path, compressed=False, **arrays)


def _load_checkpoint(path, config, fingerprint, n_visible):
    where = f"checkpoint {os.fspath(path)!r}"
    arrays = read_npz(path, required=("param_xi", "param_theta", "adam_step", "epoch",
                                      "rng_state", "config", "history", "data"),
                      what="checkpoint")
    try:
        saved_config = json.loads(str(arrays["config"]))
        saved_data = json.loads(str(arrays["data"]))
        history = json.loads(str(arrays["history"]))
        rng_state = json.loads(str(arrays["rng_state"]))
        init_sha256 = json.loads(str(arrays["init_sha256"])) if "init_sha256" in arrays else None
    except json.JSONDecodeError:
        raise BioamError(f"{where} is corrupt (bad JSON); start a new run without resume") from None
    current = config.as_json_dict()
    defaults = TrainingConfig(n_hidden=config.n_hidden).as_json_dict()
    for name, value in current.items():
        # settings added after a checkpoint was written count as their defaults
        if name != "epochs" and saved_config.get(name, defaults[name]) != value:
            raise BioamError(
                f"{where} was written with {name}={saved_config.get(name)!r}, not {value!r}; "
                "resume with the same settings (only epochs may change) or start a new run"
            )
    if saved_data != fingerprint:
        raise BioamError(
            f"{where} was written for other training images ({saved_data}); resume with the "
            "same images or start a new run"
        )
    names = ["xi", "theta"] + (["xi_back"] if config.asymmetric else [])
    n_theta = 1 if config.theta_mode == "global" else config.n_hidden
    shapes = {"xi": (n_visible, config.n_hidden), "theta": (n_theta,),
              "xi_back": (config.n_hidden, n_visible)}
    parameters = {}
    adam = _Adam({}, config.learning_rate, config.adam_beta1, config.adam_beta2,
                 config.adam_epsilon)
    for name in names:
        for key, store in ((f"param_{name}", parameters), (f"adam_first_{name}", adam.first),
                           (f"adam_second_{name}", adam.second)):
            if key not in arrays:
                raise BioamError(f"{where} has no array {key!r}; start a new run without resume")
            value = arrays[key]
            if value.shape != shapes[name] or value.dtype != np.float32:
                raise BioamError(
                    f"{where}: {key} has {value.dtype} shape {value.shape}, expected float32 "
                    f"{shapes[name]}; start a new run without resume"
                )
            if not np.all(np.isfinite(value)):
                raise BioamError(f"{where}: {key} holds NaN or infinite values; start a new run")
            store[name] = np.array(value)
    adam.step_count = int(arrays["adam_step"])
    rng = np.random.default_rng()
    try:
        rng.bit_generator.state = rng_state
    except (TypeError, ValueError, KeyError) as error:
        raise BioamError(f"{where} holds an unusable random state ({error}); start a new run") \
            from None
    image_weights = None
    if config.collision_boost != 1:
        if "image_weights" not in arrays:
            raise BioamError(f"{where} has no image weights; start a new run without resume")
        image_weights = np.array(arrays["image_weights"])
        if image_weights.shape != (fingerprint["n_images"],) or image_weights.dtype != np.float32 \
                or not np.all(np.isfinite(image_weights)):
            raise BioamError(f"{where}: image_weights do not fit the images; start a new run")
    return (parameters, adam, rng, int(arrays["epoch"]), history, init_sha256,
            image_weights)


def is_checkpoint(path):
    """Whether ``path`` is a checkpoint written by `train` (it holds ``param_xi`` and ``epoch``)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (OSError, zipfile.BadZipFile, ValueError):
        return False
    return {"param_xi.npy", "epoch.npy"} <= names


def check_checkpoint_path(path, resume=False, inputs=(), label="checkpoint_path"):
    """
    Refuse, before training, a checkpoint path that cannot be written or would destroy a file.

    The path must pass `bioam.io.check_output_paths` against ``inputs``
    (``(label, path)`` pairs, e.g. the ``init_from`` model); without ``resume``
    an existing file there must be a checkpoint of `train` (not, say, a model
    or a data set), as a new run replaces it.

    Raises
    ------
    BioamError
    """
    check_output_paths([(label, path)], inputs)
    if not resume and os.path.isfile(path) and not is_checkpoint(path):
        raise BioamError(f"{label} {os.fspath(path)!r} exists and is not a training checkpoint; "
                         f"a new run would replace it; give another {label} or remove the file")


def _initial_parameters_from(path, config, n_visible):
    """
    The starting parameters taken from the model file ``path`` (see ``init_from``),
    and the SHA-256 of that file.
    """
    model = load_model(path)
    with open(path, "rb") as stream:
        sha256 = hashlib.sha256(stream.read()).hexdigest()
    xi = np.array(model["xi"], dtype=np.float32)
    if xi.shape != (n_visible, config.n_hidden):
        raise BioamError(
            f"init_from model {os.fspath(path)!r} has xi of shape {xi.shape}, but training "
            f"needs ({n_visible}, {config.n_hidden}) for these images and n_hidden; give a "
            "model of the same size"
        )
    theta = np.atleast_1d(np.asarray(model["theta"], dtype=np.float32))
    if config.theta_mode == "global":
        if theta.size > 1 and np.all(theta == theta[0]):
            theta = theta[:1]  # a global threshold, stored (or loaded) once per neuron
        if theta.size != 1:
            raise BioamError(
                f"init_from model {os.fspath(path)!r} has one threshold per neuron; train "
                "with theta_mode='per_neuron'"
            )
    else:
        theta = np.broadcast_to(theta, (config.n_hidden,)).copy()
    parameters = {"xi": xi, "theta": theta}
    if config.asymmetric:
        xi_back = model["xi_back"] if model["xi_back"] is not None else xi.T
        parameters["xi_back"] = np.array(xi_back, dtype=np.float32)
    elif model["xi_back"] is not None:
        raise BioamError(
            f"init_from model {os.fspath(path)!r} is asymmetric (it has xi_back); train with "
            "asymmetric=True"
        )
    return parameters, sha256


def _initial_state(images, config):
    rng = np.random.default_rng(config.seed)
    n_visible = images.shape[1]
    init_sha256 = None
    if config.init_from is not None:
        parameters, init_sha256 = _initial_parameters_from(config.init_from, config, n_visible)
    else:
        parameters = {"xi": xavier_uniform(rng, n_visible, config.n_hidden)}
        n_theta = 1 if config.theta_mode == "global" else config.n_hidden
        parameters["theta"] = np.full(n_theta, config.theta_init, dtype=np.float32)
        if config.asymmetric:
            parameters["xi_back"] = xavier_uniform(rng, config.n_hidden, n_visible)
    adam = _Adam(parameters, config.learning_rate, config.adam_beta1, config.adam_beta2,
                 config.adam_epsilon)
    return parameters, adam, rng, init_sha256


def train(images, config, checkpoint_path=None, resume=False, progress=True):
    """
    Train xi and theta on a set of images with the learning rule of Eq. (17).

    Parameters
    ----------
    images : array-like, shape (n_images, N_v)
        Target visible states, e.g. from `bioam.datasets.load_dataset`; used as float32.
    config : TrainingConfig
    checkpoint_path : str or Path, optional
        Written atomically at the end of every epoch. Checked before training
        (`check_checkpoint_path`): without ``resume`` an existing file there
        must be a checkpoint, which the new run replaces; if the run then fails
        with an error, that previous checkpoint is put back (after an
        interruption, Ctrl-C or a kill, the new run's checkpoint stays, to
        resume from).
    resume : bool
        Continue from ``checkpoint_path``, which must exist and have been
        written with the same settings and images (``epochs`` may be larger).
        The result is bit-identical to an uninterrupted run.
    progress : bool or callable
        One line per epoch: True writes them to standard error, a function is
        called with each (see `bioam.progress`).

    Returns
    -------
    TrainedModel
    """
    if not isinstance(config, TrainingConfig):
        raise BioamError(f"config must be a TrainingConfig, got {type(config).__name__}")
    config.validate()
    report = progress_reporter(progress, __name__)
    if checkpoint_path is not None:
        check_checkpoint_path(checkpoint_path, resume=resume,
                              inputs=[("init_from", config.init_from)])
    images = _check_images(images)
    fingerprint = _fingerprint(images)
    n_images, n_visible = images.shape
    # parameters, Adam's two moments and their gradient (float32), and a batch's activations
    n_weights = n_visible * config.n_hidden * (2 if config.asymmetric else 1)
    check_memory(f"training N_h = {config.n_hidden} hidden neurons on {n_visible} pixels",
                 4.0 * 4 * n_weights + 8.0 * 6 * config.batch_size * (config.n_hidden + n_visible)
                 + 8.0 * min(config.monitor_size, n_images) * config.n_hidden,
                 "give a smaller --nh (N_h) or --batch-size")
    if resume:
        if checkpoint_path is None:
            raise BioamError("resume=True needs a checkpoint_path to resume from")
        if not os.path.exists(checkpoint_path):
            raise BioamError(
                f"no checkpoint {os.fspath(checkpoint_path)!r} to resume from; "
                "start a new run without resume"
            )
        (parameters, adam, rng, first_epoch, history, init_sha256,
         image_weights) = _load_checkpoint(checkpoint_path, config, fingerprint, n_visible)
        if not isinstance(history, list) or not 0 <= first_epoch == len(history):
            raise BioamError(
                f"checkpoint {os.fspath(checkpoint_path)!r} says it was written after epoch "
                f"{first_epoch} but holds the history of {len(history)} epochs; it was altered; "
                "start a new run without resume")
        if first_epoch > config.epochs:
            raise BioamError(
                f"checkpoint {os.fspath(checkpoint_path)!r} was written after epoch "
                f"{first_epoch}, more than the {config.epochs} epochs asked for; give --epochs "
                f"{first_epoch} or more to resume (the same number returns that model)")
        report(f"resuming from {os.fspath(checkpoint_path)} after epoch {first_epoch}")
    else:
        parameters, adam, rng, init_sha256 = _initial_state(images, config)
        first_epoch, history = 0, []
        image_weights = (np.ones(n_images, dtype=np.float32) if config.collision_boost != 1
                         else None)

    monitor = images[:config.monitor_size]
    # a new run replaces an earlier checkpoint at checkpoint_path; keep that one aside until
    # the run ends, and put it back if the run fails
    previous = None
    if checkpoint_path is not None and not resume and os.path.isfile(checkpoint_path):
        previous = link_aside(checkpoint_path)
    try:
        for epoch in range(first_epoch, config.epochs):
            start_time = time.perf_counter()
            steepness = steepness_at_epoch(config, epoch)
            adam.learning_rate = learning_rate_at_epoch(config, epoch)
            order = rng.permutation(n_images)
            total_loss = 0.0
            for start in range(0, n_images, config.batch_size):
                batch = images[order[start:start + config.batch_size]]
                chosen = order[start:start + config.batch_size]
                loss, gradient = loss_and_gradient(
                    parameters["xi"], parameters["theta"], batch, steepness,
                    xi_back=parameters.get("xi_back"), margin=config.margin,
                    margin_weight=config.margin_weight,
                    straight_through=config.surrogate == "straight_through",
                    margin_off=config.margin_off,
                    fixed_point_margin=config.fixed_point_margin,
                    fixed_point_weight=config.fixed_point_weight,
                    weights=None if image_weights is None else image_weights[chosen])
                if not np.isfinite(loss):
                    raise BioamError(
                        f"training diverged at epoch {epoch + 1} (loss is {loss}); lower the "
                        "learning rate or the steepness"
                    )
                total_loss += loss * batch.shape[0]
                if not config.learn_theta:
                    del gradient["theta"]
                adam.step(parameters, gradient)
                for constraint in config.constraints:
                    constraint(parameters)
            codes = hidden_potential(parameters["xi"], monitor) > parameters["theta"]
            decoder = parameters.get("xi_back", parameters["xi"].T)
            hard_residual = (codes.astype(np.float32) @ decoder) * float(1.0 / np.sqrt(
                config.n_hidden)) - monitor  # Eq. 17 with Theta itself
            record = {
                "epoch": epoch + 1,
                "loss": total_loss / n_images,
                "hard_loss": float(np.sum(hard_residual * hard_residual)) / monitor.shape[0],
                "steepness": steepness,
                "learning_rate": adam.learning_rate,
                "theta_mean": float(np.mean(parameters["theta"])),
                "unique_codes": count_unique(codes),
                "monitor_size": int(monitor.shape[0]),
                "seconds": time.perf_counter() - start_time,
            }
            if image_weights is not None:
                colliding = colliding_images(
                    hidden_potential(parameters["xi"], images) > parameters["theta"])
                image_weights[colliding] = np.minimum(
                    image_weights[colliding] * np.float32(config.collision_boost),
                    np.float32(config.collision_weight_cap))
                record["colliding_images"] = int(np.count_nonzero(colliding))
                record["mean_image_weight"] = float(np.mean(image_weights))
            history.append(record)
            if checkpoint_path is not None:
                _save_checkpoint(checkpoint_path, parameters, adam, rng, epoch + 1, config,
                                 history, fingerprint, init_sha256, image_weights)
            report(f"epoch {record['epoch']}/{config.epochs}  loss {record['loss']:.4f}  "
                   f"hard loss {record['hard_loss']:.4f}  "
                   f"steepness {steepness:.3g}  theta {record['theta_mean']:.4f}  "
                   f"unique codes {record['unique_codes']}/{record['monitor_size']}  "
                   f"{record['seconds']:.1f} s")
    except Exception:
        if previous is not None:
            os.replace(previous, checkpoint_path)
            previous = None
            report(f"training failed; the previous checkpoint {os.fspath(checkpoint_path)} "
                   "was put back")
        raise
    finally:
        if previous is not None and os.path.exists(previous):
            os.unlink(previous)

    theta = parameters["theta"]
    return TrainedModel(
        xi=parameters["xi"],
        theta=float(theta[0]) if config.theta_mode == "global" else theta,
        xi_back=parameters.get("xi_back"),
        history=history,
        config=config,
        init_sha256=init_sha256,
    )
