"""
Recall of the same cues under biological variants of the one model, side by side.

Variants are named and take parameters, e.g. ``asymmetric:rho=0.8``,
``heterogeneous:spread=0.1``, ``sparse:p=0.5,shared=1``, ``dale``,
``dale:tau_inhibitory=0.5ms``, ``spiking:gain=1000,tau_m=1ms``. The
unconstrained rate model, ``rate``, is always included; every variant is
an option of `bioam.build_network`, recalled through `bioam.RecallSession`.
"""

import sys
import time

import numpy as np
from brian2 import ms

from .network import SpikingHidden, dale_parameters
from .recall import RecallSession, choose_formulation
from .validation import BioamError, parse_time
from .variants import asymmetric_backward_weights, heterogeneous_thresholds

__all__ = ["VARIANTS", "parse_variant", "variant_options", "compare_variants",
           "COMPARE_COLUMNS", "variant_sweep"]

COMPARE_COLUMNS = ["variant", "recalled_target", "matches_rate_model", "reconstruction_mse",
                   "mean_rate_hz", "seconds"]

#: Parameters of each variant and their defaults.
VARIANTS = {
    "rate": {},
    "asymmetric": {"rho": 0.8},
    "heterogeneous": {"spread": 0.1},
    "sparse": {"p": 0.5, "shared": 0},
    "dale": {"tau_inhibitory": "0ms"},
    "spiking": {key: (f"{float(value / ms):g}ms" if hasattr(value, "dim") else value)
                for key, value in vars(SpikingHidden()).items()
                if key in ("gain", "tau_m", "refractory", "tau_synapse", "cue_hold",
                           "readout_window", "initial_membrane", "visible_rate",
                           "tau_visible_synapse")},  # SpikingHidden's defaults
}

_TIME_PARAMETERS = {"tau_inhibitory", "tau_m", "refractory", "tau_synapse", "cue_hold",
                    "readout_window", "tau_visible_synapse"}


def parse_variant(spec):
    """
    Parse ``'name'`` or ``'name:key=value,key=value'``.

    Returns
    -------
    name : str
    parameters : dict
        The variant's defaults updated with the given values (times as Quantity).
    """
    name, _, rest = spec.partition(":")
    name = name.strip()
    if name not in VARIANTS:
        raise BioamError(f"unknown variant {name!r}; choose from {', '.join(VARIANTS)}")
    parameters = dict(VARIANTS[name])
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, equals, value = item.partition("=")
        if not equals or key not in parameters:
            raise BioamError(
                f"variant {name!r}: cannot use {item!r}; its parameters are "
                f"{', '.join(parameters) or 'none'} (write {name}:key=value)")
        parameters[key] = value
    for key, value in parameters.items():
        if key in _TIME_PARAMETERS:
            parameters[key] = parse_time(f"{name}:{key}", value,
                                         allow_zero=key in ("tau_inhibitory", "cue_hold"))
        else:
            try:
                parameters[key] = float(value)
            except ValueError:
                raise BioamError(f"variant {name!r}: {key} must be a number, got {value!r}") from None
    return name, parameters


def variant_options(name, parameters, xi, xi_back, theta, cues, seed=0):
    """
    `RecallSession` keyword arguments for one variant of the base model.

    Parameters
    ----------
    name : str
    parameters : dict
    xi, xi_back, theta
        The base (rate) model; ``xi_back`` may be None.
    cues : ndarray
        The cues, which set the visible baseline under Dale's law.
    seed : int
    """
    back = xi.T if xi_back is None else xi_back
    options = {"xi_back": xi_back, "theta": theta}
    if name == "asymmetric":
        mixed = asymmetric_backward_weights(xi / np.std(xi), parameters["rho"], seed)
        options["xi_back"] = mixed * np.std(back)
    elif name == "heterogeneous":
        options["theta"] = np.asarray(theta) + heterogeneous_thresholds(
            xi.shape[1], 0.0, parameters["spread"], seed)
    elif name == "sparse":
        options.update(connection_probability=parameters["p"],
                       shared_connectivity=bool(parameters["shared"]), connectivity_seed=seed)
    elif name == "dale":
        bound = dale_parameters(xi, back, *xi.shape)["baseline"]
        options.update(dale=True, tau_inhibitory=parameters["tau_inhibitory"],
                       baseline=max(bound, float(-cues.min()), 0.0))
    elif name == "spiking":
        options["spiking"] = SpikingHidden(**parameters)
    return options


def compare_variants(xi, cues, variants, *, xi_back=None, theta=0.5, target_hidden=None,
                     clean_visible=None, backend="cpp_standalone", seed=0, timing=None,
                     progress=True):
    """
    Recall ``cues`` with the rate model and every variant.

    Parameters
    ----------
    xi : ndarray, shape (N_v, N_h)
    cues : ndarray, shape (B, N_v)
    variants : list of str
        Variant specifications (see `parse_variant`); 'rate' is added first.
    xi_back, theta
        The base model.
    target_hidden : ndarray, shape (B, N_h), optional
        The hidden state each cue should recall (default: the rate model's).
    clean_visible : ndarray, shape (B, N_v), optional
        The memories, for the reconstruction error (default: the cues).
    backend : str
    seed : int
    timing : dict, optional
        ``tau_v``, ``tau_h``, ``dt``, ``duration``.
    progress : bool

    Returns
    -------
    rows : list of dict
        Keys `COMPARE_COLUMNS` (fractions in 0..1).
    results : dict
        The `RecallResult` of every variant, keyed by its specification.
    """
    timing = dict(timing or {})
    specs = ["rate"] + [spec for spec in variants if spec.split(":")[0] != "rate"]
    parsed = [(spec, *parse_variant(spec)) for spec in specs]  # validate all first
    # a variant that needs the dense formulation (filtered Dale's law, spiking) is compared with the
    # rate model in the dense formulation too ('rate[dense]'): like with like
    formulations = {}
    for spec, name, parameters in parsed:
        options = variant_options(name, parameters, xi, xi_back, theta, cues, seed)
        formulations[spec] = choose_formulation(
            timing.get("formulation", "auto"), timing.get("activation", "step"),
            options.get("dale", False), options.get("spiking"),
            options.get("tau_inhibitory", 0 * ms))
    if "dense" in formulations.values() and formulations["rate"] != "dense":
        parsed.insert(1, ("rate[dense]", "rate", {}))
        formulations["rate[dense]"] = "dense"
    reference_rate = float(SpikingHidden().on_rate)
    rows, results = [], {}
    for spec, name, parameters in parsed:
        options = variant_options(name, parameters, xi, xi_back, theta, cues, seed)
        start = time.perf_counter()
        with RecallSession(xi, backend=backend, progress=False,
                           **dict(timing, formulation=formulations[spec]),
                           **options) as session:
            result = session.recall(cues)
        seconds = time.perf_counter() - start
        results[spec] = result
        rate_spec = "rate[dense]" if (formulations[spec] == "dense"
                                      and "rate[dense]" in formulations) else "rate"
        rate_hidden = results[rate_spec].hidden
        target = rate_hidden if target_hidden is None else target_hidden
        memories = cues if clean_visible is None else clean_visible
        if result.hidden_rates is not None:
            mean_rate = float(np.mean(result.hidden_rates))
        else:
            mean_rate = float(np.mean(result.hidden)) * reference_rate
        rows.append({
            "variant": spec,
            "recalled_target": float(np.mean(np.all(result.hidden == target, axis=1))),
            "matches_rate_model": float(np.mean(np.all(result.hidden == rate_hidden, axis=1))),
            "reconstruction_mse": float(np.mean((result.visible - memories) ** 2)),
            "mean_rate_hz": mean_rate,
            "seconds": round(seconds, 2),
        })
        if progress:
            row = rows[-1]
            print(f"bioam compare: {spec}: recalled {row['recalled_target']:.3f}, matches rate "
                  f"{row['matches_rate_model']:.3f} ({seconds:.1f} s)", file=sys.stderr, flush=True)
    return rows, results


def variant_sweep(kind, values, *, n_hidden=8, ratio=100, n_patterns=256, noise=0.0,
                  backend="cython", seed=0, timing=None):
    """
    Capacity of random networks (N_v = ratio N_h) versus one variant parameter.

    Parameters
    ----------
    kind : {'rho', 'spread', 'p'}
        Asymmetry (correlation of backward and forward weights), threshold
        spread, or connection probability.
    values : sequence of float
    n_hidden, ratio, n_patterns, noise, backend, seed, timing
        As in `bioam.capacity.capacity_experiment`.

    Returns
    -------
    list of dict
        ``kind, value, nh, nv, n_patterns, n_recalled, fraction_recalled``.
    """
    from .capacity import binary_patterns

    names = {"rho": ("asymmetric", "rho"), "spread": ("heterogeneous", "spread"),
             "p": ("sparse", "p")}
    if kind not in names:
        raise BioamError(f"unknown sweep {kind!r}; choose rho, spread or p")
    name, key = names[kind]
    rng = np.random.default_rng([seed, n_hidden])
    n_visible = int(ratio * n_hidden)
    xi = rng.standard_normal((n_visible, n_hidden))
    patterns = binary_patterns(n_hidden, n_patterns, rng)
    cues = patterns @ xi.T / np.sqrt(n_hidden) + noise * rng.standard_normal((len(patterns), n_visible))
    rows = []
    for value in values:
        _, parameters = parse_variant(f"{name}:{key}={value}")
        options = variant_options(name, parameters, xi, None, 0.5, cues, seed)
        with RecallSession(xi, backend=backend, **dict(timing or {}), **options) as session:
            result = session.recall(cues)
        recalled = int(np.all(result.hidden == patterns, axis=1).sum())
        rows.append({"kind": kind, "value": float(value), "nh": n_hidden, "nv": n_visible,
                     "n_patterns": len(patterns), "n_recalled": recalled,
                     "fraction_recalled": recalled / len(patterns)})
    return rows
