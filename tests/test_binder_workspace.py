"""The JupyterLab workspace that binder/start imports: notebook 01 beside the Dask panes."""

from __future__ import annotations

import subprocess
import sys

from coursekit import REPO_ROOT


def test_workspace_opens_notebook_01_beside_dask_panes():
    import json

    workspace = json.loads((REPO_ROOT / "binder" / "workspace.json").read_text())["data"]
    dock = json.dumps(workspace["layout-restorer:data"]["main"]["dock"])
    for widget in ["notebook:notebooks/01-connecting-to-a-dask-cluster.ipynb",
                   "dask-dashboard-launcher:individual-task-stream",
                   "dask-dashboard-launcher:individual-progress",
                   "dask-dashboard-launcher:individual-workers-memory"]:
        assert widget in dock and widget in workspace
        if widget.startswith("dask-dashboard-launcher:"):
            # dask-labextension restores a pane from {"item": {"route": ...}} (checked in a browser)
            assert workspace[widget]["data"]["item"]["route"] == widget.split(":", 1)[1]
    assert (REPO_ROOT / "notebooks" / "01-connecting-to-a-dask-cluster.ipynb").exists()


def test_workspace_imports_into_jupyterlab(tmp_path):
    env = {"PATH": f"{REPO_ROOT}/.venv/bin:/usr/bin:/bin", "HOME": str(tmp_path),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "ws")}
    done = subprocess.run([sys.executable, "-m", "jupyterlab", "workspaces", "import",
                           "binder/workspace.json"], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert list((tmp_path / "ws").glob("*.jupyterlab-workspace"))
