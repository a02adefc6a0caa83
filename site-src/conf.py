"""Sphinx configuration of the course's site (built by ``python -m coursekit site``).

The pages are rendered from notebooks the runner executed: myst-nb executes nothing. Nothing
is fetched from the network at build or view time (no MathJax, no widget manager from a CDN).
"""

from coursekit.site import REPOSITORY  # the one place the repository's address is written

project = "Distributed machine learning with Dask"
author = "the course's contributors"
copyright = "the course's contributors"  # noqa: A001  (a Sphinx setting)

extensions = ["myst_nb"]
nb_execution_mode = "off"  # the runner executed every notebook; the site shows that run
# a widget's view needs its state and a widget manager from a CDN: the text form is kept instead
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
suppress_warnings = ["mystnb.unknown_mime_type"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

html_theme = "sphinx_book_theme"
html_title = project
html_static_path = []
html_last_updated_fmt = None
# follow the reader's light/dark preference (left unset, the theme logs a console error)
html_context = {"default_mode": "auto"}
html_theme_options = {
    "repository_url": REPOSITORY,
    "repository_branch": "main",
    "path_to_docs": "",
    "use_repository_button": True,
    "use_download_button": True,
    "launch_buttons": {"binderhub_url": "https://mybinder.org", "notebook_interface": "jupyterlab"},
    "show_navbar_depth": 1,
    "home_page_in_toc": True,
}
