"""A participant's first screen on Binder, in a real browser (headless Chromium + Selenium).

JupyterLab is started the way Binder starts it: through ``binder/start`` with a JupyterHub-like
base URL (``/user/ada/``). The test opens the lab, checks that notebook 01 opens beside the three
Dask dashboard panes, runs notebook 01 through its client cell, presses the Dask sidebar's search
button, and checks that every pane loads its live plot through the Jupyter server's proxy. It
checks that the progress bars of notebooks 01 and 02 render as widgets, that no "Jupyter news"
popup covers the panes, and that a freshly opened notebook is not marked as modified.
Screenshots and the page's load time go to ``runs/browser/``: look at them.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from urllib.parse import urlparse

import pytest

from coursekit import REPO_ROOT

from .conftest import CHROMEDRIVER, CHROMIUM, headless_chromium

BASE = "/user/ada/"
TOKEN = "course-browser-test"
OUT = REPO_ROOT / "runs" / "browser"
PANES = {
    "/individual-task-stream": "Task Stream",
    "/individual-progress": "Progress",
    "/individual-workers-memory": "Workers Memory",
}
NB01 = "notebooks/01-connecting-to-a-dask-cluster.ipynb"
NB02 = "notebooks/02-nyc-taxi-eda.ipynb"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="no headless browser: apt-get install chromium chromium-driver",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab started through binder/start, as Binder starts it; yields its base URL."""
    import urllib.request

    tmp = tmp_path_factory.mktemp("lab")
    # what the image holds: the repository's notebooks and binder/, after postBuild's steps
    root = tmp / "repo"
    for folder in ["notebooks", "binder"]:
        shutil.copytree(REPO_ROOT / folder, root / folder)
    from coursekit.rules import match_kernel

    match_kernel(sorted((root / "notebooks").glob("*.ipynb")))
    settings = tmp / "app-settings" / "overrides.d"  # what binder/postBuild installs in the image
    settings.mkdir(parents=True)
    shutil.copy(REPO_ROOT / "binder" / "overrides.json", settings / "dask-course.json")
    port = _free_port()
    env = {
        **os.environ,
        "PATH": f"{REPO_ROOT}/.venv/bin:{os.environ['PATH']}",
        "HOME": str(tmp),
        "JUPYTERHUB_SERVICE_PREFIX": BASE,
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
        "JUPYTER_CONFIG_DIR": str(tmp / "config"),
    }
    command = [
        "bash",
        "binder/start",
        "jupyter",
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--ServerApp.base_url={BASE}",
        f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.app_settings_dir={tmp / 'app-settings'}",
        "--LabApp.expose_app_in_browser=True",  # lets the test run notebook commands
        "--ServerApp.allow_root=True",
    ]  # CI runs as root; Binder does not
    log = open(tmp / "lab.log", "w")  # noqa: SIM115 (closed in teardown)
    server = subprocess.Popen(
        command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}{BASE}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{url}api/status?token={TOKEN}", timeout=5)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"JupyterLab did not start:\n{(tmp / 'lab.log').read_text()[-3000:]}")
            time.sleep(0.5)
    yield url
    os.killpg(server.pid, signal.SIGTERM)  # the server, its kernels and their clusters
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
    log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = headless_chromium(tmp_path_factory.mktemp("chromium"))
    driver.set_script_timeout(120)
    OUT.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def _wait(driver, condition, timeout=180, what="condition"):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.5).until(
        lambda d: condition(d), message=f"waited {timeout} s for {what}"
    )


def _js(driver, script, *args):
    return driver.execute_script(script, *args)


NOTEBOOK = """
const app = window.jupyterapp;
const panel = app.shell.widgets('main').find(w => w.context && w.context.path === arguments[0]);
"""


def _cell_index(driver, path, needle) -> int:
    index = _js(
        driver,
        NOTEBOOK
        + """
        if (!panel) return -2;
        return panel.content.widgets.findIndex(c => c.model.sharedModel.getSource().includes(arguments[1]));
    """,
        path,
        needle,
    )
    assert index >= 0, f"{path}: no cell contains {needle!r}"
    return index


def _run_cells(driver, path, first, last):
    """Run cells first..last of an open notebook (as shift-enter would), then wait for them."""
    _js(
        driver,
        NOTEBOOK
        + """
        app.shell.activateById(panel.id);
        const nb = panel.content;
        nb.activeCellIndex = arguments[1];
        nb.deselectAll();
        nb.extendContiguousSelectionTo(arguments[2]);
        app.commands.execute('notebook:run-cell');
    """,
        path,
        first,
        last,
    )

    def done(d):
        state = _js(
            d,
            NOTEBOOK
            + """
            const cells = panel.content.widgets.slice(arguments[1], arguments[2] + 1);
            const errors = cells.flatMap(c => (c.model.outputs ? Array.from({length: c.model.outputs.length},
                (_, i) => c.model.outputs.get(i).toJSON()) : [])).filter(o => o.output_type === 'error');
            return {ran: cells.every(c => c.model.type !== 'code' || c.model.executionCount !== null),
                    idle: panel.sessionContext.session.kernel.status === 'idle',
                    errors: errors.map(o => o.ename + ': ' + o.evalue)};
        """,
            path,
            first,
            last,
        )
        assert not state["errors"], f"{path}: {state['errors']}"
        return state["ran"] and state["idle"]

    _wait(driver, done, timeout=300, what=f"{path} cells {first}-{last} to run")


def _progress_widget_in_cell(driver, path, index) -> bool:
    return _js(
        driver,
        NOTEBOOK
        + """
        const node = panel.content.widgets[arguments[1]].node;
        return node.querySelector('.jp-OutputArea .widget-progress, .jp-OutputArea .widget-hprogress') !== null;
    """,
        path,
        index,
    )


def _dirty_tabs(driver) -> list[str]:
    return _js(
        driver,
        """return Array.from(document.querySelectorAll('.lm-TabBar-tab.jp-mod-dirty'))
                          .map(t => t.textContent.trim());""",
    )


def _news_toasts(driver) -> list[str]:
    return _js(
        driver,
        """return Array.from(document.querySelectorAll('.Toastify__toast'))
                          .map(t => t.textContent).filter(t => /news/i.test(t));""",
    )


def test_first_screen_panes_render_live_plots_and_progress_bars_are_widgets(lab, browser):
    driver = browser
    start = time.monotonic()
    driver.get(f"{lab}lab?token={TOKEN}")
    _wait(
        driver,
        lambda d: _js(
            d,
            """return !!window.jupyterapp &&
        document.querySelectorAll('.jp-NotebookPanel').length >= 1 &&
        document.querySelectorAll('.dask-DaskDashboard-widget').length === 3 &&
        Array.from(document.querySelectorAll('.dask-DaskDashboard-widget'))
             .every(w => w.getBoundingClientRect().width > 50);""",
        ),
        what="notebook 01 and the three panes",
    )
    load_s = time.monotonic() - start
    # notebook 01 beside the three panes, named after the dashboard's plots
    titles = _js(
        driver,
        """return Array.from(document.querySelectorAll('.lm-TabBar-tab .lm-TabBar-tabLabel'))
                            .map(t => t.textContent.trim()).filter(t => t);""",
    )
    assert any("01-connecting-to-a-dask-cluster" in t for t in titles), titles
    driver.save_screenshot(str(OUT / "0-opened.png"))
    for label in PANES.values():
        assert label in titles, titles
    _wait(
        driver,
        lambda d: _js(
            d,
            NOTEBOOK + "return !!panel && panel.sessionContext.session &&"
            " panel.sessionContext.session.kernel.status === 'idle';",
            NB01,
        ),
        what="notebook 01's kernel",
    )
    driver.save_screenshot(str(OUT / "1-first-screen.png"))
    assert _dirty_tabs(driver) == []  # a notebook just opened is not "modified"

    # run notebook 01 through its client cell, then the sidebar's search button
    client_cell = _cell_index(driver, NB01, "client = Client(")
    _run_cells(driver, NB01, 0, client_cell)
    search = driver.find_element(
        "css selector", ".dask-URLInput [title='Auto-detect dashboard URL']"
    )
    search.click()
    _wait(
        driver,
        lambda d: (
            f"{BASE}proxy/"
            in (d.find_element("css selector", ".dask-URLInput input").get_attribute("value") or "")
        ),
        what="the dashboard URL",
    )
    sources = _wait(
        driver,
        lambda d: (lambda s: s if len(s) == 3 and all(s) else None)(
            _js(
                d,
                """
        return Array.from(document.querySelectorAll('.dask-DaskDashboard-widget iframe'))
                    .map(f => f.getAttribute('src'));""",
            )
        ),
        what="the panes' iframes to get a src",
    )
    for route in PANES:
        (src,) = [s for s in sources if s.endswith(route)]
        path = urlparse(src).path  # through the Jupyter server's proxy, to the cluster's port
        assert path.startswith(f"{BASE}proxy/") and path.split("/")[4].isdigit(), src
        status = _js(driver, "return fetch(arguments[0]).then(r => r.status);", src)
        assert status == 200, (src, status)

    def bokeh_rendered(d):
        frames = d.find_elements("css selector", ".dask-DaskDashboard-widget iframe")
        rendered = []
        for frame in frames:
            d.switch_to.frame(frame)
            try:
                rendered.append(
                    d.execute_script(
                        "return !!window.Bokeh && Object.keys(window.Bokeh.index || {}).length > 0 &&"
                        " document.querySelector('[data-root-id]') !== null;"
                    )
                )
            finally:
                d.switch_to.default_content()
        return len(rendered) == 3 and all(rendered)

    _wait(driver, bokeh_rendered, what="a Bokeh plot in each pane")

    # notebook 01's progress bar: a widget, while the task stream fills beside it
    progress_cell = _cell_index(driver, NB01, "progress(y_persisted)")
    _run_cells(driver, NB01, client_cell + 1, progress_cell)
    _wait(
        driver,
        lambda d: _progress_widget_in_cell(d, NB01, progress_cell),
        timeout=60,
        what="notebook 01's progress bar widget",
    )
    driver.save_screenshot(str(OUT / "2-panes-live-and-progress-01.png"))
    assert _news_toasts(driver) == []

    # notebook 02's progress bar, opened from the file browser's command
    _js(
        driver, "window.jupyterapp.commands.execute('docmanager:open', {path: arguments[0]});", NB02
    )
    _wait(
        driver,
        lambda d: _js(
            d,
            NOTEBOOK + "return !!panel && panel.sessionContext.session &&"
            " panel.sessionContext.session.kernel.status === 'idle';",
            NB02,
        ),
        what="notebook 02's kernel",
    )
    assert not any("02-nyc-taxi-eda" in t for t in _dirty_tabs(driver))
    progress_02 = _cell_index(driver, NB02, "progress(df")
    _run_cells(driver, NB02, 0, progress_02)
    _wait(
        driver,
        lambda d: _progress_widget_in_cell(d, NB02, progress_02),
        timeout=60,
        what="notebook 02's progress bar widget",
    )
    driver.save_screenshot(str(OUT / "3-progress-02.png"))

    # the client summary's "Launch dashboard in JupyterLab" button (notebook 01's client cell)
    _js(
        driver,
        "window.jupyterapp.shell.activateById(arguments[0]);",
        _js(driver, NOTEBOOK + "return panel.id;", NB01),
    )
    launch = _wait(
        driver,
        lambda d: d.find_elements(
            "css selector", "button[data-commandlinker-command='dask:populate-and-launch-layout']"
        ),
        timeout=60,
        what="the client summary's launch button",
    )
    driver.execute_script("arguments[0].scrollIntoView(); arguments[0].click();", launch[0])
    # its layout (task stream, progress, workers memory) is the one already docked: the same panes
    # stay, each still showing its plot, and nothing is reported missing (below)
    time.sleep(2)  # the command runs asynchronously; give it time to log a warning if any
    assert (
        len(
            _js(
                driver,
                """return Array.from(document.querySelectorAll('.dask-DaskDashboard-widget iframe'))
                    .filter(f => f.getAttribute('src')).map(f => f.getAttribute('src'));""",
            )
        )
        == 3
    )
    driver.save_screenshot(str(OUT / "4-launch-button-layout.png"))
    # dask-labextension warns when a stored or launched pane matches none of the dashboard's plots
    assert [
        e["message"] for e in driver.get_log("browser") if "Non-existent dashboard" in e["message"]
    ] == []
    (OUT / "figures.json").write_text(json.dumps({"lab_load_s": round(load_s, 1)}, indent=1))
    for path in (NB02, NB01):  # stop the kernels (and their clusters) before the server goes
        _js(driver, NOTEBOOK + "panel.sessionContext.shutdown();", path)


def test_a_launch_link_to_a_later_notebook_opens_that_notebook_in_front(lab, browser):
    """The site's launch buttons open Binder at lab/tree/notebooks/NN-….ipynb: that notebook
    must be the one in front, beside the panes (the workspace docks notebook 01 too)."""
    driver = browser
    nb03 = "notebooks/03-grid-search-on-the-cluster.ipynb"
    driver.get(f"{lab}lab/tree/{nb03}?token={TOKEN}")
    in_front = """return !!window.jupyterapp && !!jupyterapp.shell.currentWidget &&
                         !!jupyterapp.shell.currentWidget.context &&
                         document.querySelectorAll('.dask-DaskDashboard-widget').length === 3
                         ? jupyterapp.shell.currentWidget.context.path : null;"""
    # the workspace restores 01 first and the route then opens 03: on a busy machine seconds
    # apart, so wait for 03 (a real fault, 01 left in front, times out here) ...
    _wait(
        driver, lambda d: _js(d, in_front) == nb03, what="notebook 03 in front and the three panes"
    )
    time.sleep(3)  # ... and check that nothing restored later takes its place
    current = _js(driver, in_front)
    driver.save_screenshot(str(OUT / "3-launch-03.png"))
    assert current == nb03, current
