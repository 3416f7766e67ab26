"""What a test puts on a dead service's port (local back end only).

- :class:`ConnectionCounter` listens on the port and counts the connections
  that reach it, answering none.
- :class:`StandIn` is a small threaded HTTP server that answers as the test
  says (a status, headers, a JSON body), records when each request arrived,
  and can hold one request until the test releases it.

Both bind the port the real service used, so they work only on the local
back end, whose services listen on this host's loopback ports.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from harness import wait_until


class ConnectionCounter:
    """A listening socket on ``port`` that accepts and counts connections."""

    def __init__(self, port: int, backlog: int = 128) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", port))
        self._socket.listen(backlog)
        self._socket.setblocking(False)
        self._accepted = 0

    def count(self) -> int:
        """Connections that reached the port so far (the kernel queues them)."""
        while True:
            try:
                connection, _ = self._socket.accept()
            except BlockingIOError:
                return self._accepted
            connection.close()
            self._accepted += 1

    def close(self) -> None:
        """Stop listening."""
        self._socket.close()

    def __enter__(self) -> ConnectionCounter:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


@dataclass(frozen=True)
class Answer:
    """What the stand-in answers to one request."""

    status: int
    body: dict | None = None
    headers: dict[str, str] = field(default_factory=dict)


class StandIn:
    """An HTTP server on ``port`` that answers every GET as the test scripts it.

    Requests take the ``script``'s answers in order, then ``default``.
    ``hold_next()`` makes the next request wait for ``release()`` (or for
    ``max_hold`` seconds) before it is answered.
    """

    def __init__(self, port: int, default: Answer, *, max_hold: float = 0.8) -> None:
        self.default = default
        self.max_hold = max_hold
        self._script: deque[Answer] = deque()
        self._arrivals: list[float] = []
        self._lock = threading.Lock()
        self._hold_next = False
        self._released = threading.Event()
        self.held_too_long = False
        self._server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", port), self._handler_class()
        )
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}
        )
        self._thread.daemon = True
        self._thread.start()

    def script(self, *answers: Answer) -> None:
        """Answer the next requests with ``answers``, in order."""
        with self._lock:
            self._script.extend(answers)

    def hold_next(self) -> None:
        """Make the next request wait for ``release()`` before its answer."""
        with self._lock:
            self._released.clear()
            self._hold_next = True

    def release(self) -> None:
        """Let a held request have its answer."""
        self._released.set()

    @property
    def arrivals(self) -> list[float]:
        """When each request arrived (monotonic clock), in order."""
        with self._lock:
            return list(self._arrivals)

    @property
    def count(self) -> int:
        """How many requests reached the stand-in."""
        with self._lock:
            return len(self._arrivals)

    def wait_for(self, count: int, timeout: float) -> None:
        """Wait until ``count`` requests have arrived."""
        wait_until(lambda: self.count >= count, timeout, f"{count} requests")

    def close(self) -> None:
        """Release anything held, stop serving and free the port."""
        self._released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> StandIn:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _next(self) -> tuple[Answer, bool]:
        with self._lock:
            self._arrivals.append(time.monotonic())
            answer = self._script.popleft() if self._script else self.default
            hold, self._hold_next = self._hold_next, False
            return answer, hold

    def _handler_class(self):
        stand_in = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                answer, hold = stand_in._next()
                if hold and not stand_in._released.wait(stand_in.max_hold):
                    stand_in.held_too_long = True
                body = b"" if answer.body is None else json.dumps(answer.body).encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(body)

            def log_message(self, *args) -> None:
                # The test reads the stand-in's record, not its access log.
                return

        return Handler
