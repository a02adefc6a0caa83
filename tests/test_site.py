"""The course's website: built offline from the ci-profile run, every page there and opened in
headless Chromium without console errors, links and images resolving, each launch button
opening its own notebook, solutions collapsed, no link to a run's loopback dashboard.

The site is built from the ``ci_series`` run the notebook tests already made (nothing is
executed again); ``SITE_TEST_RUN=runs/DIR`` builds from an earlier run folder instead.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest

from coursekit import REPO_ROOT
from coursekit.rules import stated_minutes
from coursekit.series import notebooks
from coursekit.site import LOOPBACK_LINK, PROGRESS_NOTE, WIDGET, prepare

from .conftest import CHROMEDRIVER, CHROMIUM, headless_chromium

OUT = REPO_ROOT / "runs" / "site"


def _fake_run(tmp_path) -> Path:
    """Notebook 01 as a run would leave it: a client repr linking its loopback dashboard, a
    progress widget, papermill's metadata and the runner's summary."""
    nb = nbformat.read(notebooks()[0], as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    code[1].outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/html": '<p>Dashboard: <a href="http://127.0.0.1:41234/status" '
                'target="_blank">http://127.0.0.1:41234/status</a></p>',
                "text/plain": "<Client>",
            },
        )
    ]
    code[2].outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={WIDGET: {"model_id": "x", "version_major": 2}, "text/plain": "HBox"},
        )
    ]
    nb.metadata["papermill"] = {"end_time": "2026-11-24T00:00:00", "exception": None}
    run = tmp_path / "run" / "ci"
    run.mkdir(parents=True)
    nbformat.write(nb, run / notebooks()[0].name)
    (run / "summary.json").write_text(
        '{"profile": "ci", "cpu_count": 2, "memory_gb": 23.5, "notebooks": []}'
    )
    return run / notebooks()[0].name


def test_preparing_a_page_collapses_solutions_drops_loopback_links_and_widgets(tmp_path):
    executed = _fake_run(tmp_path)
    nb = prepare(executed, {"profile": "ci", "cpu_count": 2, "memory_gb": 23.5})
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    html = "".join(o["data"].get("text/html", "") for o in outputs if "data" in o)
    assert "http://127.0.0.1:41234/status" in html  # the address is still shown...
    assert not LOOPBACK_LINK.search(html) and "href" not in html  # ...but is no link
    assert not any(WIDGET in o.get("data", {}) for o in outputs)
    assert any(o.get("data", {}).get("text/plain") == PROGRESS_NOTE for o in outputs)
    solutions = [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
    assert len(solutions) >= 2 and all("hide-cell" in c.metadata["tags"] for c in solutions)
    assert "`ci` profile (" in nb.cells[0].source and "on 2 cores, 23.5 GB" in nb.cells[0].source


def test_every_notebook_states_its_time_and_the_series_fits_a_three_hour_workshop():
    minutes = [stated_minutes(nbformat.read(p, as_version=4)) for p in notebooks()]
    assert all(10 <= m <= 60 for m in minutes)
    assert sum(minutes) + 10 * (len(minutes) // 2) <= 180  # with a break after every two


@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    from coursekit.site import build

    if os.environ.get("SITE_TEST_RUN"):
        run_dirs = [Path(p) for p in os.environ["SITE_TEST_RUN"].split(os.pathsep)]
    else:
        series = request.getfixturevalue("ci_series")
        run_dirs = sorted({Path(r["_executed"]).parent for r in series.values()})
    out = tmp_path_factory.mktemp("site") / "site"
    build(run_dirs, out)
    return out


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.images, self.ids = [], [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in ("img", "script") and attrs.get("src"):
            self.images.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.images.append(attrs["href"])


def _parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text())
    return parser


def _pages(site: Path) -> list[Path]:
    return sorted(
        p
        for p in site.rglob("*.html")
        if not {"_sources", "_static"} & set(p.relative_to(site).parts)
    )


@pytest.mark.slow
def test_every_notebook_has_a_page_and_links_anchors_and_images_resolve(site):
    for nb in notebooks():
        assert (site / "notebooks" / f"{nb.stem}.html").exists(), nb.name
    parsed = {page: _parse(page) for page in _pages(site)}
    external, broken = set(), []
    for page, found in parsed.items():
        for href in found.links + found.images:
            url = urlparse(href)
            if url.scheme in ("http", "https", "mailto"):
                external.add(href)  # listed, not fetched: no network here
                assert url.hostname not in ("127.0.0.1", "localhost"), (page.name, href)
                continue
            target = (page.parent / unquote(url.path)).resolve() if url.path else page
            if not target.exists():
                broken.append(f"{page.relative_to(site)} -> {href}")
            elif url.fragment and target.suffix == ".html":
                ids = parsed.get(target, _parse(target)).ids
                if url.fragment not in ids:
                    broken.append(f"{page.relative_to(site)} -> {href} (no such anchor)")
    assert not broken, broken
    assert any("mybinder.org" in href for href in external)


@pytest.mark.slow
def test_launch_buttons_open_their_own_notebook_and_solutions_start_collapsed(site):
    for nb in notebooks():
        page = (site / "notebooks" / f"{nb.stem}.html").read_text()
        launches = set(re.findall(r'href="(https://mybinder\.org/[^"]+)"', page))
        assert launches == {
            "https://mybinder.org/v2/gh/distributed-ml-with-dask/course/main"
            f"?urlpath=lab/tree/notebooks/{nb.name}"
        }, nb.name
        assert f"_sources/notebooks/{nb.name}" in page  # the download link
        collapsed = re.findall(r"<details class=\"[^\"]*hide above-input[^\"]*\"[^>]*>", page)
        assert len(collapsed) >= 2 and not any(" open" in tag for tag in collapsed), nb.name
        assert "This page shows a run of the notebook" in page  # the note naming the run it shows
        # papermill's injected cell, with the run's own file paths, is gone
        assert ".results.json" not in page
        assert "$\\" not in page  # no raw LaTeX: the site loads no MathJax (it would need a CDN)


@pytest.mark.slow
def test_instructors_plan_is_built_from_the_notebooks_stated_times(site):
    page = (site / "instructors.html").read_text()
    total = sum(stated_minutes(nbformat.read(p, as_version=4)) for p in notebooks())
    assert f"core paths add up to {total} minutes" in page
    for nb in notebooks():
        title = nbformat.read(nb, as_version=4).cells[0].source.splitlines()[0].lstrip("# ")
        assert title.split(":")[0] in page


@pytest.mark.slow
@pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="no headless browser: apt-get install chromium chromium-driver",
)
def test_every_page_opens_in_a_browser_without_console_errors(site, tmp_path):
    driver = headless_chromium(
        tmp_path / "chromium", window="1400,1000", extra_flags=["--allow-file-access-from-files"]
    )
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        errors = {}
        for page in _pages(site):
            driver.get(page.as_uri())
            assert driver.execute_script("return document.readyState") == "complete"
            text = driver.execute_script("return document.body.innerText")
            assert driver.title and len(text) > 200, page.name
            severe = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
            if severe:
                errors[page.name] = severe
            if page.name == "index.html":
                driver.save_screenshot(str(OUT / "landing.png"))
            if page.name.startswith("03-"):
                driver.save_screenshot(str(OUT / "notebook-03.png"))
                driver.execute_script("window.scrollTo(0, document.body.scrollHeight * 0.45)")
                driver.save_screenshot(str(OUT / "notebook-03-results.png"))
        assert not errors, errors
    finally:
        driver.quit()


def test_the_publishing_workflow_is_a_valid_github_actions_workflow():
    """It cannot run here: validated offline against the GitHub Actions workflow schema."""
    import subprocess
    import sys

    workflow = REPO_ROOT / ".github" / "workflows" / "site.yml"
    checker = Path(sys.executable).with_name("check-jsonschema")
    done = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.github-workflows", str(workflow)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    text = workflow.read_text()
    assert "make site" in text and "actions/deploy-pages" in text and "branches: [main]" in text


def test_a_redrawn_progress_bar_reads_as_a_terminal_leaves_it():
    from coursekit.site import _merge_streams

    pieces = [
        {"output_type": "stream", "name": "stderr", "text": "Generation: 10%\r"},
        {
            "output_type": "stream",
            "name": "stderr",
            "text": "Generation: 50%\rGeneration: 100%\r\n",
        },
        {"output_type": "stream", "name": "stdout", "text": "best pipeline found\n"},
        {"output_type": "stream", "name": "stderr", "text": "\r"},
    ]
    assert _merge_streams(pieces) == [
        {"output_type": "stream", "name": "stderr", "text": "Generation: 100%\n"},
        {"output_type": "stream", "name": "stdout", "text": "best pipeline found\n"},
    ]
