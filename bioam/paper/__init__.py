"""
The figures and tables of paper 001 (Kafraj, Krotov & Latham 2026) as data.

One module per group of figures; each function measures what a figure shows
and returns rows (written as CSV by the scripts in ``experiments/paper/``)
beside a function that draws it:

- `bioam.paper.capacity`: Figures 1a/b, 6, 10 and 11 (random weights);
- `bioam.paper.mnist`: Figures 2, 3a/b/c, 7 and 9 (left) (learned weights).

``python experiments/reproduce.py`` runs every script (``make reproduce``).
"""
