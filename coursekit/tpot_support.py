"""TPOT plumbing: a client TPOT 1.1 can use on a cluster joined by address (no Dask to learn here)."""

from __future__ import annotations

from types import SimpleNamespace


class ClientWithWorkerList:
    """A Dask client plus the ``cluster.workers`` that TPOT 1.1 reads.

    TPOT asks ``client.cluster.workers`` how many evaluations to keep queued; ``client.cluster``
    exists only when the client started its own ``LocalCluster``. Everything else is passed to
    the real client.
    """

    def __init__(self, client):
        self._client = client
        self.cluster = SimpleNamespace(workers=client.scheduler_info(n_workers=-1)["workers"])

    def __getattr__(self, name):
        return getattr(self._client, name)


def client_for_tpot(client):
    """``client`` itself when it owns its cluster, else a ``ClientWithWorkerList`` around it."""
    return client if client.cluster is not None else ClientWithWorkerList(client)
