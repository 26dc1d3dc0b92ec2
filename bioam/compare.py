"""
Recall of the same cues under biological variants of the one model, side by side.

Variants are named and take parameters, e.g. ``asymmetric:rho=0.8``,
``heterogeneous:spread=0.1``, ``sparse:p=0.5,shared=1``, ``dale``,
``dale:tau_inhibitory=0.5ms``, ``spiking:gain=1000,tau_m=1ms``: the names
and defaults of `bioam.variants.VARIANTS`. The unconstrained rate model,
``rate``, is always included; every variant gives `bioam.RecallSession`
options (weights, thresholds or pieces of `bioam.pieces`).
"""

import time

import numpy as np

from .pieces.lif import LIF
from .progress import progress_reporter
from .recall import DEFAULTS, RecallSession, choose_formulation
from .validation import BioamError, parse_time
from .variants import VARIANTS

__all__ = ["VARIANTS", "parse_variant", "parse_combination", "variant_options",
           "combination_options", "compare_variants",
           "COMPARE_COLUMNS", "variant_sweep"]

COMPARE_COLUMNS = ["variant", "recalled_target", "matches_rate_model", "reconstruction_mse",
                   "mean_rate_hz", "seconds"]

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
    defaults = VARIANTS[name].defaults
    parameters = dict(defaults)
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, equals, value = item.partition("=")
        if not equals or key not in parameters:
            raise BioamError(
                f"variant {name!r}: cannot use {item!r}; its parameters are "
                f"{', '.join(parameters) or 'none'} (write {name}:key=value)")
        parameters[key] = value
    for key, value in parameters.items():
        if value is defaults[key]:
            continue
        if hasattr(defaults[key], "dim"):  # a time
            parameters[key] = parse_time(f"{name}:{key}", value, allow_zero=True)
        else:
            try:
                parameters[key] = float(value)
            except ValueError:
                raise BioamError(f"variant {name!r}: {key} must be a number, got {value!r}") from None
    return name, parameters


def parse_combination(spec):
    """
    Parse a variant or a combination of variants joined by ``+``.

    ``'asymmetric:rho=0.9+sparse:p=0.8'`` is the asymmetric weights of the
    first with the sparse synapses of the second.

    Returns
    -------
    list of (name, parameters)
    """
    parts = [parse_variant(part.strip()) for part in spec.split("+")]
    names = [name for name, _ in parts]
    if len(set(names)) < len(names):
        raise BioamError(f"{spec!r} names a variant twice; give each once")
    return parts


def combination_options(parts, xi, xi_back, theta, cues, seed=0):
    """
    `RecallSession` keyword arguments of a combination (`parse_combination`).

    The variants apply in order, each to the model the previous ones made
    (Dale's law after ``asymmetric`` sets its baseline from the asymmetric
    backward weights); their constraints add up.
    """
    options = {"xi_back": xi_back, "theta": theta}
    constraints = []
    for name, parameters in parts:
        made = variant_options(name, parameters, xi, options["xi_back"], options["theta"], cues,
                               seed)
        constraints += made.pop("constraints", [])
        options.update(made)
    if constraints:
        options["constraints"] = constraints
    return options


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
    base = {"xi": xi, "xi_back": xi_back, "theta": theta, "cues": cues, "seed": seed}
    return {"xi_back": xi_back, "theta": theta, **VARIANTS[name].options(parameters, base)}


def _recall_variant(xi, cues, parts, xi_back, theta, seed, backend, timing):
    """One variant's recall (a task of `compare_variants`): its `RecallResult` and seconds."""
    options = combination_options(parts, xi, xi_back, theta, cues, seed)
    start = time.perf_counter()
    with RecallSession(xi, backend=backend, progress=False, **timing, **options) as session:
        result = session.recall(cues)
    return result, time.perf_counter() - start


def compare_variants(xi, cues, variants, *, xi_back=None, theta=0.5, target_hidden=None,
                     clean_visible=None, backend=DEFAULTS["backend"], seed=0, timing=None,
                     progress=True, scheduler=None, n_workers=None):
    """
    Recall ``cues`` with the rate model and every variant.

    Parameters
    ----------
    xi : ndarray, shape (N_v, N_h)
    cues : ndarray, shape (B, N_v)
    variants : list of str
        Variant specifications (see `parse_variant`), or combinations joined by
        ``+`` (`parse_combination`); 'rate' is added first.
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
    progress : bool or callable
        A line per variant: True writes them to standard error, a function is
        called with each (see `bioam.progress`).
    scheduler : None, 'local', 'inline', str or distributed.Client
        Where the variants run, one task each (`bioam.sweeps.run_sweep`): by
        default a local Dask cluster with a worker per core.
    n_workers : int, optional
        Workers of the local cluster.

    Returns
    -------
    rows : list of dict
        Keys `COMPARE_COLUMNS` (fractions in 0..1).
    results : dict
        The `RecallResult` of every variant, keyed by its specification.
    """
    timing = dict(timing or {})
    report = progress_reporter(progress, __name__)
    specs = ["rate"] + [spec for spec in variants if spec.split(":")[0] != "rate"]
    parsed = [(spec, parse_combination(spec)) for spec in specs]  # validate all first
    # a variant that needs the dense formulation (filtered Dale's law, spiking) is compared with the
    # rate model in the dense formulation too ('rate[dense]'): like with like
    formulations = {}
    for spec, parts in parsed:
        options = combination_options(parts, xi, xi_back, theta, cues, seed)
        piece_options = {key: value for key, value in options.items()
                         if key not in ("xi_back", "theta")}
        formulations[spec] = choose_formulation(
            timing.get("formulation", "auto"), activation=timing.get("activation", "step"),
            **piece_options)
    if "dense" in formulations.values() and formulations["rate"] != "dense":
        parsed.insert(1, ("rate[dense]", [("rate", {})]))
        formulations["rate[dense]"] = "dense"
    reference_rate = float(LIF().on_rate)
    from .sweeps import run_sweep

    if scheduler != "inline" and len(parsed) > 1:
        timing.setdefault("n_workers", 1)  # the cluster's workers fill the cores
    tasks = [{"xi": xi, "cues": cues, "parts": parts, "xi_back": xi_back, "theta": theta,
              "seed": seed, "backend": backend,
              "timing": dict(timing, formulation=formulations[spec])}
             for spec, parts in parsed]
    # every variant is one task: a local Dask cluster runs them side by side by default
    recalled = run_sweep(_recall_variant, tasks, scheduler=scheduler, n_workers=n_workers,
                         progress=report, label="bioam compare",
                         describe=lambda task, value: f"{value[1]:.1f} s")
    rows, results = [], {}
    for (spec, parts), (result, seconds) in zip(parsed, recalled):
        results[spec] = result
        rate_spec = "rate[dense]" if (formulations[spec] == "dense"
                                      and "rate[dense]" in formulations) else "rate"
        rate_hidden = results[rate_spec].states
        target = rate_hidden if target_hidden is None else target_hidden
        memories = cues if clean_visible is None else clean_visible
        if result.hidden_rates is not None:
            mean_rate = float(np.mean(result.hidden_rates))
        else:
            mean_rate = float(np.mean(result.hidden)) * reference_rate
        rows.append({
            "variant": spec,
            "recalled_target": float(np.mean(np.all(result.states == target, axis=1))),
            "matches_rate_model": float(np.mean(np.all(result.states == rate_hidden,
                                                          axis=1))),
            "reconstruction_mse": float(np.mean((result.visible - memories) ** 2)),
            "mean_rate_hz": mean_rate,
            "seconds": round(seconds, 2),
        })
        row = rows[-1]
        report(f"bioam compare: {spec}: recalled {row['recalled_target']:.3f}, matches rate "
               f"{row['matches_rate_model']:.3f} ({seconds:.1f} s)")
    return rows, results


def variant_sweep(kind, values, *, n_hidden=8, ratio=100, n_patterns=256, noise=0.0,
                  backend=DEFAULTS["backend"], seed=0, timing=None, scheduler=None, n_workers=None,
                  cache=None, progress=False):
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
    scheduler, n_workers, cache
        Where the values run, one task each (`bioam.sweeps.run_sweep`; default
        a local Dask cluster), and the folder of finished values that a rerun
        skips.
    progress : bool or callable
        A line per value (see `bioam.progress`).

    Returns
    -------
    list of dict
        ``kind, value, nh, nv, n_patterns, n_recalled, fraction_recalled``.
    """
    from .sweeps import run_sweep

    names = {"rho": ("asymmetric", "rho"), "spread": ("heterogeneous", "spread"),
             "p": ("sparse", "p")}
    if kind not in names:
        raise BioamError(f"unknown sweep {kind!r}; choose rho, spread or p")
    name, key = names[kind]
    for value in values:  # every value is checked before any work
        parse_variant(f"{name}:{key}={value}")
    settings = [{"kind": kind, "value": float(value), "n_hidden": n_hidden, "ratio": ratio,
                 "n_patterns": n_patterns, "noise": noise, "backend": backend, "seed": seed,
                 "timing": dict(timing or {})} for value in values]
    return run_sweep(_variant_capacity, settings, scheduler=scheduler, n_workers=n_workers,
                     cache=cache, progress=progress_reporter(progress, __name__),
                     label=f"variant sweep {kind}",
                     describe=lambda setting, row: (f"{kind} = {setting['value']:g}: "
                                                    f"{row['n_recalled']}/{row['n_patterns']}"))


def _variant_capacity(kind, value, n_hidden, ratio, n_patterns, noise, backend, seed, timing):
    """One value of `variant_sweep`: its row."""
    from .capacity import binary_patterns

    name, key = {"rho": ("asymmetric", "rho"), "spread": ("heterogeneous", "spread"),
                 "p": ("sparse", "p")}[kind]
    rng = np.random.default_rng([seed, n_hidden])
    n_visible = int(ratio * n_hidden)
    xi = rng.standard_normal((n_visible, n_hidden))
    patterns = binary_patterns(n_hidden, n_patterns, rng)
    cues = patterns @ xi.T / np.sqrt(n_hidden) + noise * rng.standard_normal((len(patterns), n_visible))
    _, parameters = parse_variant(f"{name}:{key}={value}")
    options = variant_options(name, parameters, xi, None, 0.5, cues, seed)
    with RecallSession(xi, backend=backend, **timing, **options) as session:
        result = session.recall(cues)
    recalled = int(np.all(result.states == patterns, axis=1).sum())
    return {"kind": kind, "value": float(value), "nh": n_hidden, "nv": n_visible,
            "n_patterns": len(patterns), "n_recalled": recalled,
            "fraction_recalled": recalled / len(patterns)}
