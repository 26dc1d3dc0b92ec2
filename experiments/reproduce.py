"""
Reproduce every figure and table of paper 001 that the shared data allows, one script each.

Runs the scripts of ``experiments/paper/`` and the ``bioam`` commands behind the
tables, each in its own process with one BLAS thread, into OUT/<step>/, and
writes OUT/reproduce.json: every step's command, wall time and exit status.
Section 3.2 and Figure 7 retrain their networks from scratch (into OUT, never over
``models/``) and check that the weights equal the committed models' bit for bit.
The CIFAR-10 items (Figures 4, 5, 8, 9 right) run only when the official archive
is in the data directory; otherwise they are listed as not run.

    python experiments/reproduce.py [--out output/reproduction] [--only fig1 fig6 ...]

92 minutes measured on 2 busy cores (``make reproduce``); docs/reproduction.md shows every
result beside the paper's.
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PAPER = os.path.join(HERE, "paper")


def _bioam(*arguments):
    return [sys.executable, "-m", "bioam", *arguments]


def _script(name, *arguments):
    return [sys.executable, os.path.join(PAPER, name), *arguments]


def steps(out):
    """The steps in order: name -> (what it reproduces, list of commands)."""
    section = os.path.join(out, "section32")
    models = os.path.join(section, "models")
    return {
        "fig1": ("Figure 1a/b", [_script("fig1_capacity.py", "--out", os.path.join(out, "fig1"))]),
        "fig6": ("Figure 6", [_script("fig6_ratio.py", "--out", os.path.join(out, "fig6"))]),
        "fig10": ("Figure 10a/b", [_script("fig10_sigmoid.py", "--out",
                                           os.path.join(out, "fig10"))]),
        "fig11": ("Figure 11", [_script("fig11_time_constants.py", "--out",
                                        os.path.join(out, "fig11"))]),
        "section32": ("Section 3.2 (57,913 unique minima), Figure 2's network", [
            [sys.executable, os.path.join(HERE, "train_mnist_symmetric.py"), "--out", section,
             "--models", models],
            [sys.executable, os.path.join(HERE, "reproduce.py"), "--compare-models",
             os.path.join(models, "mnist_nh50_global.npz"),
             os.path.join("models", "mnist_nh50_global.npz"),
             os.path.join(section, "same_weights.json")],
            _bioam("evaluate", "--model", os.path.join(models, "mnist_nh50_global.npz"),
                   "--dataset", "mnist", "--split", "train", "--json",
                   os.path.join(section, "evaluate_train.json"), "--figures", section)]),
        "fig2": ("Figure 2", [_script("fig2_recall_ring.py", "--out", os.path.join(out, "fig2"))]),
        "fig3": ("Figure 3a/b/c", [_script("fig3_basic_memories.py", "--out",
                                           os.path.join(out, "fig3"))]),
        "fig7": ("Figure 7 (N_h = 16, trained from scratch)", [
            _script("fig7_nh16.py", "--out", os.path.join(out, "fig7"), "--model-out",
                    os.path.join(out, "fig7", "models", "mnist_nh16.npz")),
            [sys.executable, os.path.join(HERE, "reproduce.py"), "--compare-models",
             os.path.join(out, "fig7", "models", "mnist_nh16.npz"),
             os.path.join("models", "mnist_nh16.npz"),
             os.path.join(out, "fig7", "same_weights.json")]]),
        "fig9": ("Figure 9 (left)", [_script("fig9_asymmetric.py", "--out",
                                             os.path.join(out, "fig9"))]),
        "table1": ("Table 1 (MNIST)", [_bioam("classify", "--model",
                                              os.path.join("models", "mnist_nh50_global.npz"),
                                              "--dataset", "mnist", "--out",
                                              os.path.join(out, "table1"))]),
        "table4": ("Table 4", [_bioam("baselines", "--dataset", "mnist", "--model",
                                      os.path.join("models", "mnist_nh50_global.npz"),
                                      "--out", os.path.join(out, "table4"), "--quiet")]),
        "cifar10": ("Figures 4, 5, 8 and 9 (right), Table 1 (CIFAR-10)", [
            [sys.executable, os.path.join(HERE, "train_cifar10.py"), "--epochs", "100",
             "--out", os.path.join("models", "cifar10_nh500.npz")]]),
    }


def compare_models(produced, committed, report):
    """Whether two model files hold the same weights and thresholds, bit for bit."""
    import numpy as np

    from bioam.io import write_json_atomic
    from bioam.models import load_model

    first, second = load_model(produced), load_model(committed)
    same = {}
    for key in ("xi", "xi_back", "theta"):
        a, b = first[key], second[key]
        same[key] = (a is None and b is None) or (
            a is not None and b is not None and a.shape == b.shape
            and bool(np.array_equal(a, b)))
    result = {"produced": produced, "committed": committed, "same": same,
              "bit_identical": all(same.values())}
    write_json_atomic(report, result)
    print(json.dumps(result))
    return 0 if result["bit_identical"] else 1


def cifar10_available():
    """Whether the official CIFAR-10 archive is in the data directory."""
    from bioam.datasets import data_directory

    folder = data_directory()
    return any(os.path.exists(os.path.join(folder, name))
               for name in ("cifar-10-python.tar.gz", "cifar-10-batches-py", "cifar10.npz"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--out", default=os.path.join("output", "reproduction"), metavar="DIR")
    parser.add_argument("--only", nargs="+", default=None, metavar="STEP",
                        help="run these steps only: " + " ".join(steps("OUT")))
    parser.add_argument("--record", default="reproduce.json", metavar="NAME",
                        help="file in OUT of the steps' commands and times (default "
                             "reproduce.json; give another name to run some steps beside a "
                             "running reproduction)")
    parser.add_argument("--compare-models", nargs=3, default=None, metavar=("PRODUCED",
                        "COMMITTED", "REPORT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.compare_models:
        return compare_models(*args.compare_models)
    plan = steps(args.out)
    chosen = args.only or list(plan)
    unknown = [name for name in chosen if name not in plan]
    if unknown:
        print(f"error: unknown step(s) {' '.join(unknown)}; choose from {' '.join(plan)}",
              file=sys.stderr)
        return 2
    from bioam.io import write_json_atomic

    environment = dict(os.environ, OPENBLAS_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    os.makedirs(args.out, exist_ok=True)
    summary_path = os.path.join(args.out, os.path.basename(args.record))
    record = {"steps": {}, "cpu_count": os.cpu_count()}
    if os.path.exists(summary_path):  # a partial rerun keeps the other steps' records
        with open(summary_path) as stream:
            record["steps"] = json.load(stream).get("steps", {})
    started = time.perf_counter()
    failed = []
    for name in chosen:
        what, commands = plan[name]
        if name == "cifar10" and not cifar10_available():
            record["steps"][name] = {"reproduces": what, "status": "not run",
                                     "reason": "the official CIFAR-10 archive is not in the "
                                               "data directory"}
            print(f"== {name}: not run (no CIFAR-10 archive in the data directory)", flush=True)
            continue
        print(f"== {name}: {what}", flush=True)
        step = {"reproduces": what, "commands": [], "status": "ok"}
        step_started = time.perf_counter()
        for command in commands:
            shown = " ".join(os.path.relpath(part) if os.path.isabs(part) else part
                             for part in ["python"] + command[1:])
            print(f"   $ {shown}", flush=True)
            begun = time.perf_counter()
            code = subprocess.run(command, env=environment).returncode
            step["commands"].append({"command": shown, "exit_status": code,
                                     "seconds": round(time.perf_counter() - begun, 1)})
            if code:
                step["status"] = "failed"
                failed.append(name)
                break
        step["seconds"] = round(time.perf_counter() - step_started, 1)
        record["steps"][name] = step
        print(f"== {name}: {step['status']} in {step['seconds']:.0f} s", flush=True)
        write_json_atomic(summary_path, record)
    record["seconds_this_run"] = round(time.perf_counter() - started, 1)
    write_json_atomic(summary_path, record)
    print(f"wrote {summary_path}; {len(failed)} step(s) failed{': ' + ' '.join(failed) if failed else ''}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
