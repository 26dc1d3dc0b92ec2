"""
Rewrite the tables of docs/reproduction.md from the files of a reproduction run.

    python experiments/paper/update_reproduction_doc.py [--folder docs/figures/paper] [--doc docs/reproduction.md]

Every table between ``<!-- table:NAME -->`` and ``<!-- end:NAME -->`` is generated
by `bioam.paper.report` from the CSV and JSON files in --folder.
"""

import argparse
import os

from bioam.paper.report import update_document

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--folder", default=os.path.join(ROOT, "docs", "figures", "paper"))
    parser.add_argument("--doc", default=os.path.join(ROOT, "docs", "reproduction.md"))
    args = parser.parse_args(argv)
    changed = update_document(args.doc, args.folder)
    print(f"updated {len(changed)} table(s) of {args.doc}: {' '.join(changed) or 'none'}")


if __name__ == "__main__":
    main()
