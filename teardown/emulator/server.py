"""The emulator over HTTP: one threaded server keeping connections alive (``wire.http11``), one WSGI app,
three audiences.

- Requests signed for service ``iotsitewise`` (SigV4 credential scope) go to the emulator's codec, which
  answers from the world of the signing account and region.
- ``/_emulator/...`` is the control API (``teardown.emulator.control``: reset, snapshot, settings, clock,
  call counts, per world where it is about state): JSON in and out.
  Error rules that drop the connection or stall past the read timeout answer nothing at all: the
  connection closes (for a stall, once the client has given up).
- Everything else goes to moto's own server app, so STS GetCallerIdentity (the engine's account guard)
  answers on the same port, as ``moto.server.ThreadedMotoServer`` would.
"""

from __future__ import annotations

import contextlib
import json
import select
import socket
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

import structlog
from werkzeug.wrappers import Request, Response

from teardown.emulator.control import CONTROL_PREFIX, ControlApi
from teardown.emulator.service.error_rules import READ_TIMEOUT, transport_fault_of
from teardown.emulator.wire.caller import signing_scope
from teardown.emulator.wire.codec import Emulator
from teardown.emulator.wire.http11 import KeepAliveServer

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from teardown.emulator.backend import SiteWiseBackend

_log = structlog.get_logger(__name__)

# The longest a ReadTimeout rule holds a connection when the client never hangs up, in wall seconds.
STALL_LIMIT = 300.0


class EmulatorApp:
    """The WSGI app: SiteWise, control API or moto, decided per request."""

    def __init__(self, backend: SiteWiseBackend, fallback: WSGIApplication | None = None) -> None:
        self.emulator = Emulator(backend)
        self.control = ControlApi(backend)
        self._fallback = fallback
        # Set when the server shuts down, so a stalled (ReadTimeout) request lets go of its connection.
        self.closing = threading.Event()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith(CONTROL_PREFIX):
            status, document = self.control.handle(
                request.method, request.path[len(CONTROL_PREFIX) :], request.get_data(), request.args.to_dict()
            )
            body = json.dumps(document, default=str, sort_keys=True).encode()
            response = Response(body, status=status, content_type="application/json")
            return response(environ, start_response)
        headers = dict(request.headers)
        if self._signed_for(headers) == "iotsitewise":
            answer = self.emulator.dispatch(request.method, request.url, headers, request.get_data())
            fault = transport_fault_of(answer.headers)
            if fault is not None:
                self._hang_up(environ, wait_for_client=fault == READ_TIMEOUT)
                # The server takes a ConnectionError from the app as a dropped connection: nothing is written.
                raise ConnectionAbortedError(f"injected {fault}")
            response = Response(answer.body, status=answer.status, headers=answer.headers)
            return response(environ, start_response)
        return self._moto()(environ, start_response)

    def _hang_up(self, environ: WSGIEnvironment, *, wait_for_client: bool) -> None:
        """Close the connection without an answer; for a read timeout, first hold it until the client gives up
        (it hangs up at its read timeout), the server shuts down, or STALL_LIMIT seconds pass."""
        connection = environ.get("werkzeug.socket")
        if not isinstance(connection, socket.socket):
            return
        if wait_for_client:
            deadline = time.monotonic() + STALL_LIMIT
            while not self.closing.is_set() and time.monotonic() < deadline:
                readable, _, _ = select.select([connection], [], [], 0.05)
                if readable:
                    break  # the client hung up (or sent more, which a stalled server would not read either)
        with contextlib.suppress(OSError):
            connection.shutdown(socket.SHUT_RDWR)

    @staticmethod
    def _signed_for(headers: dict[str, str]) -> str | None:
        scope = signing_scope(headers)
        return scope.service if scope else None

    def _moto(self) -> WSGIApplication:
        if self._fallback is None:
            # moto's server app is heavy to import; only pay for it when a non-SiteWise call arrives.
            from moto.moto_server.werkzeug_app import (  # noqa: PLC0415
                DomainDispatcherApplication,
                create_backend_app,
            )

            self._fallback = DomainDispatcherApplication(create_backend_app)
        return self._fallback


class EmulatorServer:
    """A running server on a background thread. ``with serve(backend) as server:`` stops it on exit."""

    def __init__(self, app: EmulatorApp, host: str, port: int) -> None:
        self.app = app
        self._server = KeepAliveServer(host, port, app)
        self._thread = threading.Thread(target=self._server.serve_forever, name="sitewise-emulator", daemon=True)

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> EmulatorServer:
        self._thread.start()
        _log.info("emulator.serving", url=self.url)
        return self

    def serve_forever(self) -> None:
        """Serve on the calling thread (the CLI's foreground mode) until shutdown() or Ctrl-C."""
        _log.info("emulator.serving", url=self.url)
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def shutdown(self) -> None:
        self.app.closing.set()
        # socketserver's shutdown() waits for serve_forever to exit: only ask a loop that is running.
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> EmulatorServer:
        return self

    def __exit__(self, *_: object) -> None:
        self.shutdown()


def client_environment(url: str, region: str = "us-east-1") -> dict[str, str]:
    """What boto3 and the AWS CLI in another process need to reach the emulator at ``url`` (SiteWise and
    STS), with dummy credentials, and no code changes."""
    return {
        "AWS_ENDPOINT_URL_IOTSITEWISE": url,
        "AWS_ENDPOINT_URL_STS": url,
        "AWS_DISABLE_HOST_PREFIX_INJECTION": "true",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
    }


def make_server_for(backend: SiteWiseBackend, host: str = "127.0.0.1", port: int = 0) -> EmulatorServer:
    """A server bound to host:port (0 = any free port), not yet serving."""
    return EmulatorServer(EmulatorApp(backend), host, port)


def serve(backend: SiteWiseBackend, host: str = "127.0.0.1", port: int = 0) -> EmulatorServer:
    """Start serving ``backend`` on a background thread and return the running server."""
    return make_server_for(backend, host, port).start()
