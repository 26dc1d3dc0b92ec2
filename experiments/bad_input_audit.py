"""
Run the whole bad-input catalogue (tests/bad_input.py) and count the outcomes.

Every case is one malformed or hostile invocation of a command or of the API;
the counts by class and command, and every case's outcome, are written as JSON.
tests/test_bad_input.py runs the same cases and asserts that each is refused
cleanly.

    python experiments/bad_input_audit.py --out docs/figures/bad_input/audit.json \
        --doc docs/robustness.md
"""

import argparse
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

import bad_input  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--out", default=os.path.join("output", "bad_input", "audit.json"))
    parser.add_argument("--only", default=None, help="run the cases whose id contains this")
    parser.add_argument("--doc", default=None, metavar="MD",
                        help="also write the counts into the table of this page "
                             "(docs/robustness.md)")
    args = parser.parse_args(argv)
    from brian2 import BrianLogger

    BrianLogger.log_level_warn()
    results = []
    started = time.time()
    with tempfile.TemporaryDirectory() as scratch:
        world = bad_input.make_world(os.path.join(scratch, "world"))
        pristine = os.path.join(scratch, "pristine")
        shutil.copytree(world["dir"], pristine)
        clean = bad_input.snapshot(world["dir"])
        previous_cwd = os.getcwd()
        os.chdir(scratch)  # Brian2 debug logs would land here
        try:
            for case in bad_input.cases():
                if args.only and args.only not in case.id:
                    continue
                outcome = bad_input.run_case(case, world)
                results.append((case, outcome))
                if outcome[0] != "clean":
                    print(f"{outcome[0]:>10}  {case.id}  {outcome[1][:160]}", flush=True)
                if bad_input.snapshot(world["dir"]) != clean:
                    bad_input.restore_world(world, pristine)
        finally:
            os.chdir(previous_cwd)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    bad_input.dump(results, args.out, world["dir"])
    record = bad_input.summary(results)
    print(f"{record['cases']} cases in {time.time() - started:.0f} s: "
          + ", ".join(f"{n} {name}" for name, n in record["totals"].items()))
    print(f"wrote {args.out}")
    if args.doc:
        with open(args.doc) as stream:
            text = stream.read()
        with open(args.doc, "w") as stream:
            stream.write(bad_input.replace_table(text, "bad_input",
                                                 bad_input.markdown_table(record)))
        print(f"wrote the table of {args.doc}")


if __name__ == "__main__":
    main()
