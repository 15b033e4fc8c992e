"""A test server on 127.0.0.1 served in a thread (a plain module: the fixture plugins import it)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from socketserver import BaseServer


@contextlib.contextmanager
def serve_in_thread(server: BaseServer) -> Iterator[str]:
    """Serve `server` (bound to 127.0.0.1, port 0) in a thread; yields its base URL, stops it on leaving."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
