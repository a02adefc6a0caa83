"""A folder served over HTTP on loopback, for tests that download or read data by URL."""

from __future__ import annotations

import contextlib
import http.server
import os
import threading
from functools import partial


class RangeRequestHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with HTTP range requests, as object stores and web servers answer them
    (Dask reads a CSV in blocks by asking for byte ranges)."""

    def send_head(self):
        header = self.headers.get("Range", "")
        path = self.translate_path(self.path)
        if not header.startswith("bytes=") or not os.path.isfile(path):
            return super().send_head()
        size = os.path.getsize(path)
        start_s, _, end_s = header[6:].partition("-")
        start = int(start_s) if start_s else max(size - int(end_s), 0)
        end = min(int(end_s), size - 1) if start_s and end_s else size - 1
        if start >= size:
            self.send_error(416)
            return None
        f = open(path, "rb")  # noqa: SIM115 (copyfile reads it, then the base class closes it)
        f.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self._remaining = end - start + 1
        return f

    def copyfile(self, source, outputfile):
        remaining = getattr(self, "_remaining", None)
        if remaining is None:
            return super().copyfile(source, outputfile)
        outputfile.write(source.read(remaining))
        self._remaining = None

    def log_message(self, *args):  # keep the test output quiet
        pass


@contextlib.contextmanager
def serve_folder(folder):
    """Serve ``folder`` (with range requests) at a random loopback port; yield its base URL."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(RangeRequestHandler, directory=str(folder))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
