"""
Where the k-winners capacity prediction and the measurement part (sparse 0/1 patterns).

For every Hebbian rule and D, at the predicted capacity, the predicted
probability that one stored pattern, and that all of them, are fixed points
of k-winners recall, beside the fractions measured over fresh pattern sets
(`bioam.hebbian.experiment.kwinners_theory_check`). Writes ``OUT/theory_check.csv``.

    python experiments/hebbian_kwinners_check.py [--units 100 400] [--draws 200] [--out DIR]
"""

import argparse
import os

from brian2 import BrianLogger

from bioam.hebbian.experiment import THEORY_CHECK_COLUMNS, kwinners_theory_check
from bioam.io import write_csv_atomic


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--units", type=int, nargs="+", default=[100, 400])
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=os.path.join("output", "hebbian_sparse"))
    args = parser.parse_args()
    BrianLogger.log_level_warn()
    os.makedirs(args.out, exist_ok=True)
    rows = kwinners_theory_check(units=args.units, n_draws=args.draws, seed=args.seed)
    path = write_csv_atomic(os.path.join(args.out, "theory_check.csv"), rows,
                            THEORY_CHECK_COLUMNS)
    for row in rows:
        print(f"{row['rule']:>23} D = {row['units']:>4} P = {row['patterns']:>4}: one pattern "
              f"{row['theory_one']:.4f} predicted, {row['simulated_one']:.4f} measured; all "
              f"{row['theory_all']:.3f} predicted, {row['simulated_all']:.3f} measured")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
