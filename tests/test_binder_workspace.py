"""The JupyterLab workspace that binder/start imports: notebook 01 beside the Dask panes."""

from __future__ import annotations

import subprocess
import sys

from coursekit import REPO_ROOT

PANES = ["/individual-task-stream", "/individual-progress", "/individual-workers-memory"]


def test_workspace_opens_notebook_01_beside_dask_panes():
    import json

    workspace = json.loads((REPO_ROOT / "binder" / "workspace.json").read_text())["data"]
    dock = json.dumps(workspace["layout-restorer:data"]["main"]["dock"])
    for widget in [
        "notebook:notebooks/01-connecting-to-a-dask-cluster.ipynb",
        *(f"dask-dashboard-launcher:{route}" for route in PANES),
    ]:
        assert widget in dock and widget in workspace
    for route in PANES:
        # dask-labextension names a pane after its route and revives it only when the route is
        # exactly one of the dashboard's plot list (checked in a browser: tests/test_browser.py)
        assert workspace[f"dask-dashboard-launcher:{route}"]["data"]["item"]["route"] == route
    assert (REPO_ROOT / "notebooks" / "01-connecting-to-a-dask-cluster.ipynb").exists()


def test_workspace_routes_are_in_the_dashboards_plot_list():
    """The routes must be spelled as a running dashboard lists them (with the leading slash)."""
    import json
    import urllib.request

    from dask.distributed import LocalCluster

    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
    ) as cluster:
        url = cluster.dashboard_link.replace("/status", "/individual-plots.json")
        with urllib.request.urlopen(url, timeout=30) as response:
            routes = set(json.loads(response.read()).values())
    assert set(PANES) <= routes, sorted(routes)


def test_workspace_imports_into_jupyterlab(tmp_path):
    env = {
        "PATH": f"{REPO_ROOT}/.venv/bin:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "ws"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "jupyterlab", "workspaces", "import", "binder/workspace.json"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert list((tmp_path / "ws").glob("*.jupyterlab-workspace"))
