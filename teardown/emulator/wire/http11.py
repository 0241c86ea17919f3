"""A small threaded WSGI server that keeps its connections alive (HTTP/1.1).

werkzeug's development server answers "Connection: close" to every request (http.server cannot skip a body
the app left unread), so each request cost a new TCP connection and a new server thread on both sides: at
hundreds of requests a second, that was most of the CPU the client and the emulator spent. This server reads
every request body whole before the app runs (bodies here are small JSON documents), answers with a
Content-Length, and keeps the connection for the client's next request. An idle connection is closed after
``IDLE_SECONDS``; ``server_close`` closes them all.
"""

from __future__ import annotations

import contextlib
import http.server
import io
import socket
import sys
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes

import structlog

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment

_log = structlog.get_logger(__name__)

IDLE_SECONDS = 120.0  # wall seconds a kept connection may sit idle before the server closes it
_NO_BODY = frozenset({204, 304})
# Hop-by-hop headers this server sets itself.
_OWN_HEADERS = frozenset({"content-length", "connection", "transfer-encoding", "keep-alive"})


class KeepAliveServer(http.server.ThreadingHTTPServer):
    """Serves ``app`` (WSGI) on ``(host, port)``, a thread per connection, connections kept alive."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, host: str, port: int, app: WSGIApplication) -> None:
        self.app = app
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__((host, port), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        super().server_close()
        with self._open_lock:
            still_open, self._open = list(self._open), set()
        for connection in still_open:  # wakes each connection's thread from its wait for a request line
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_SECONDS
    server: KeepAliveServer

    def log_message(self, format: str, *args: Any) -> None:
        return None  # a line per request is noise and cost at thousands of requests a second

    def handle_one_request(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if not self.raw_requestline:
                self.close_connection = True
                return
            if len(self.raw_requestline) > 65536:
                self.send_error(414)
                return
            if not self.parse_request():
                return  # parse_request answered the error
            self._serve()
        except (OSError, TimeoutError):  # the client went away, or stayed idle past the timeout
            self.close_connection = True

    def _serve(self) -> None:
        if self.headers.get("Expect", "").lower().strip() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = self._body()
        response: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], Any]:
            response[:] = [status, headers]
            return chunks.append

        chunks: list[bytes] = []
        try:
            result: Iterable[bytes] = self.server.app(self._environ(body), start_response)
            try:
                chunks.extend(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except ConnectionError:  # the app dropped the connection on purpose (an injected transport fault)
            self.close_connection = True
            return
        except Exception as exc:  # a bug in the app must answer 500, not kill the connection's thread
            _log.warning("emulator.app_raised", error=repr(exc))
            response[:] = ["500 Internal Server Error", [("Content-Type", "text/plain")]]
            chunks = [b"internal error in the emulator"]
        status, headers = response
        payload = b"".join(chunks)
        code = int(status.split(" ", 1)[0])
        lines = [f"HTTP/1.1 {status}"]
        lines += [f"{name}: {value}" for name, value in headers if name.lower() not in _OWN_HEADERS]
        if code not in _NO_BODY:
            lines.append(f"Content-Length: {len(payload)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head if code in _NO_BODY or self.command == "HEAD" else head + payload)
        self.wfile.flush()

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = self.headers.get("Content-Length")
        return self.rfile.read(int(length)) if length and int(length) > 0 else b""

    def _environ(self, body: bytes) -> WSGIEnvironment:
        path, _, query = self.path.partition("?")
        host, port = self.server.server_address[:2]
        environ: WSGIEnvironment = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": _wsgi_path(path),
            "QUERY_STRING": query,
            "SERVER_NAME": str(host),
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "werkzeug.socket": self.connection,  # the emulator app's transport faults hang up on it
        }
        for name, value in self.headers.items():
            key = name.upper().replace("-", "_")
            if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                continue
            key = f"HTTP_{key}"
            environ[key] = f"{environ[key]},{value}" if key in environ else value
        return environ


def _wsgi_path(path: str) -> str:
    """PATH_INFO as WSGI wants it: percent-decoded, as latin-1 text of the UTF-8 bytes (PEP 3333)."""
    return unquote_to_bytes(path).decode("latin-1")
