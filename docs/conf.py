"""Sphinx configuration of bioam's documentation site.

Build it with ``make docs`` (or ``sphinx-build -W --keep-going -b html docs output/docs``).
The markdown pages of docs/ are read by myst-parser, the API reference is generated from
the numpydoc docstrings by autosummary (stubs in docs/generated/, not committed), and
the scripts of docs/examples/ are run by sphinx-gallery into docs/auto_examples/ (not
committed). Nothing here needs the network.
"""

import importlib
import os
import pkgutil
import re
import sys
import types
from pathlib import Path

import sphinx.ext.autosummary as _autosummary

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")

import bioam  # noqa: E402
from bioam import __version__  # noqa: E402

project = "bioam"
author = "bioam contributors"
copyright = "bioam contributors"
version = release = __version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "README.md",  # the index for readers browsing docs/ on GitHub; index.rst replaces it here
    "examples/GALLERY_HEADER.rst",  # sphinx-gallery's input, rendered as auto_examples/index
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
    "auto_examples/*.json",
    "auto_examples/*.md5",
]
# `name` in a docstring is a cross-reference to a Python object (numpydoc's convention).
default_role = "py:obj"

# --- API reference: autosummary writes a stub page per module, class and function.
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # the numpydoc Parameters sections say the types
numpydoc_show_class_members = False  # the class template lists the members (no duplicates)
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True


# ``bioam.recall`` is both a module and the function ``bioam/__init__`` imports from it (and
# ``bioam.hebbian.capacity`` likewise). autosummary resolves ``PACKAGE.NAME`` as an attribute
# first, and would document the function under the module's name and none of the module's
# members; for the submodules so shadowed, the module.
def _shadowed_submodules(package):
    """Submodules of ``package`` that its namespace hides behind another object."""
    shadowed = set()
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        parent, _, leaf = info.name.rpartition(".")  # walk_packages imported the parent
        attribute = getattr(sys.modules[parent], leaf, None)
        if attribute is not None and not isinstance(attribute, types.ModuleType):
            shadowed.add(info.name)
    return shadowed


SHADOWED_MODULES = _shadowed_submodules(bioam)

_import_by_name = _autosummary._import_by_name  # fails loudly if a Sphinx release renames it


def _import_shadowed_modules_first(name, *args, **kwds):
    if name in SHADOWED_MODULES:
        return importlib.import_module(name), None, name
    return _import_by_name(name, *args, **kwds)


_autosummary._import_by_name = _import_shadowed_modules_first
# The one-line summaries of the API tables end at the first sentence; "Eq. (1)" does not end one.
_autosummary.WELL_KNOWN_ABBREVIATIONS += ("Eq.", "Eqs.", "Def.", "Sec.", "Fig.", "Figs.")

# --- Markdown pages.
myst_heading_anchors = 3  # [text](engine.md#dales-law-on-the-event-path) resolves
# Links to files beside the pages (figures/*.csv, *.json, *.txt) become downloads. Links to
# folders (``[figures/engine/](figures/engine/)``, fine on GitHub) have no page on a static
# site: those whose folder exists are shown as plain text, not warned about; a link to a file
# or folder that does not exist still fails the build.
DOCS = Path(__file__).resolve().parent
FOLDER_LINKS = sorted({
    target
    for page in DOCS.glob("*.md")
    for target in re.findall(r"\]\(([^()\s#]+/)\)", page.read_text())
    if (DOCS / target).is_dir()
})
nitpick_ignore = [("myst", target) for target in FOLDER_LINKS]

# --- Example gallery: every docs/examples/example_*.py is executed at build time.
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/example_",
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("bioam",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"bioam": None},
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "run_stale_examples": True,  # every build runs every example, changed or not
}

def _unlink_folders(app, doctree, docname):
    """Links to existing folders (see FOLDER_LINKS) as plain text."""
    from docutils import nodes

    anchors = {target.replace("/", "-").lower() for target in FOLDER_LINKS} | set(FOLDER_LINKS)
    for ref in list(doctree.findall(nodes.reference)):
        if ref.get("refid") in anchors or ref.get("refuri", "").lstrip("#") in anchors:
            ref.replace_self(nodes.inline("", "", *ref.children))


def setup(app):
    app.connect("doctree-resolved", _unlink_folders)


# --- HTML (pydata-sphinx-theme, as numpy and scipy use; nothing fetched at build time).
html_theme = "pydata_sphinx_theme"
html_title = f"bioam {version}"
html_static_path = []
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "header_links_before_dropdown": 6,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
html_sidebars = {"index": []}
