"""
Hebbian associative memories: Brian2 networks and their NumPy reference.

* `bioam.hebbian.network`: the fully laterally connected network as Brian2
  objects (sign, threshold, k-winners, hypercolumn and rate units), weights
  learned online by the rule as synaptic code (`learn_online`), and recall
  (`recall_hebbian`) on every target;

* `bioam.hebbian.rules`: the expanded Hebbian rule of Gerstner & Kistler
  (paper 004, Definition 2) and the presets of paper 003 (activity product,
  covariance, presynaptic covariance, Willshaw, BCPNN);
* `bioam.hebbian.retrieval`: synchronous sign, threshold, k-winners and
  hypercolumn updates, iterated to a fixed point, and a rate model;
* `bioam.hebbian.capacity`: (delta, epsilon)-retrievability (paper 003,
  Definition 1.1.2) and the capacity found by bisection;
* `bioam.hebbian.theory`: the signal-to-noise capacity estimate of paper 004
  and the classical results for the activity product rule;
* `bioam.hebbian.kwinners_theory`: the capacity of sparse patterns recalled by
  k winners, every preset, from the field's distribution over the counts.
"""

from .capacity import (CapacityResult, Retrievability, capacity, perturb, random_patterns,
                       retrievable)
from .retrieval import (IterationResult, hypercolumn_update, iterate, k_winners_update,
                        rate_dynamics, sign_update, threshold_update)
from .rules import (RULES, HebbianRule, activity_product, bcpnn, bcpnn_from_counts, check_patterns,
                    covariance, get_rule, offline_weights, presynaptic_covariance,
                    remove_self_connections, weight_change, willshaw, bcpnn_trace_weights)
from .network import (HebbianNetwork, build_hebbian_network, learn_online,
                      learn_online_bcpnn_traces, recall_hebbian)
from .kwinners_theory import (field_distribution, kwinners_capacity,
                              kwinners_fixed_point_probability)
from .theory import (FieldStatistics, bit_error_probability, critical_capacity, field_statistics,
                     hebb_exact_retrieval_capacity, hebb_no_flip_probability, mceliece_capacity,
                     no_flip_probability, snr_capacity)

__all__ = [
    "RULES", "HebbianRule", "activity_product", "bcpnn", "bcpnn_from_counts", "check_patterns",
    "covariance", "get_rule", "offline_weights", "presynaptic_covariance",
    "remove_self_connections", "weight_change", "willshaw",
    "IterationResult", "hypercolumn_update", "iterate", "k_winners_update", "rate_dynamics",
    "sign_update", "threshold_update",
    "CapacityResult", "Retrievability", "capacity", "perturb", "random_patterns", "retrievable",
    "FieldStatistics", "bit_error_probability", "critical_capacity", "field_statistics",
    "hebb_exact_retrieval_capacity", "hebb_no_flip_probability", "mceliece_capacity",
    "no_flip_probability", "snr_capacity",
    "HebbianNetwork", "build_hebbian_network", "learn_online", "recall_hebbian",
    "learn_online_bcpnn_traces", "bcpnn_trace_weights",
    "field_distribution", "kwinners_capacity", "kwinners_fixed_point_probability",
]
