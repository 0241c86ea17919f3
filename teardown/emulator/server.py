"""The emulator over HTTP: one threaded werkzeug server, one WSGI app, three audiences.

- Requests signed for service ``iotsitewise`` (SigV4 credential scope) go to the emulator's codec.
- ``/_emulator/...`` is the control API (reset, snapshot, settings, clock, call counts): JSON in and out.
  Error rules that drop the connection or stall past the read timeout answer nothing at all: the
  connection closes (for a stall, once the client has given up).
- Everything else goes to moto's own server app, so STS GetCallerIdentity (the engine's account guard)
  answers on the same port, as ``moto.server.ThreadedMotoServer`` would.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import select
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import structlog
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from teardown.emulator.clock import ManualClock, ScaledClock
from teardown.emulator.service.consistency import ConsistencySettings
from teardown.emulator.service.error_rules import READ_TIMEOUT, transport_fault_of
from teardown.emulator.service.faults import FaultSettings
from teardown.emulator.service.latency import Duration, LatencyProfile, LogNormal, LongTail
from teardown.emulator.service.quotas import QuotaSettings
from teardown.emulator.wire.codec import Emulator

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from teardown.emulator.backend import SiteWiseBackend

_log = structlog.get_logger(__name__)

CONTROL_PREFIX = "/_emulator/"
# "Credential=AKID/20240101/us-east-1/iotsitewise/aws4_request": the fourth part names the service.
# The longest a ReadTimeout rule holds a connection when the client never hangs up, in wall seconds.
STALL_LIMIT = 300.0
_SCOPE = re.compile(r"Credential=[^/,\s]+/[^/]+/[^/]+/([^/]+)/aws4_request")


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ControlApi:
    """``/_emulator/<path>`` handlers over one backend; each takes the JSON body and returns JSON data."""

    def __init__(self, backend: SiteWiseBackend) -> None:
        self.backend = backend
        self._routes: dict[tuple[str, str], Callable[[dict[str, Any]], Any]] = {
            ("POST", "reset"): self._reset,
            ("GET", "snapshot"): lambda _: self.backend.snapshot(),
            ("GET", "settings"): lambda _: self.settings(),
            ("POST", "settings"): self._update_settings,
            ("POST", "clock/advance"): self._advance,
            ("GET", "calls"): lambda _: self.backend.call_counts(),
        }

    def handle(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        handler = self._routes.get((method.upper(), path.strip("/")))
        if handler is None:
            known = sorted(f"{m} {CONTROL_PREFIX}{p}" for m, p in self._routes)
            return 404, {"message": f"no control endpoint {method} {CONTROL_PREFIX}{path}", "endpoints": known}
        try:
            document = json.loads(body) if body.strip() else {}
            if not isinstance(document, dict):
                raise ControlError(400, "the body must be a JSON object")
            return 200, handler(document)
        except json.JSONDecodeError as exc:
            return 400, {"message": f"malformed JSON: {exc}"}
        except ControlError as exc:
            return exc.status, {"message": exc.message}
        except (TypeError, ValueError) as exc:
            return 400, {"message": str(exc)}

    def settings(self) -> dict[str, Any]:
        clock = self.backend.clock
        return {
            "clock": "manual" if isinstance(clock, ManualClock) else type(clock).__name__,
            "now": clock.now(),
            "time_scale": clock.scale if isinstance(clock, ScaledClock) else None,
            "latency": _plain(self.backend.latency),
            "latency_profile": _profile_name(self.backend.latency),
            "quotas": _plain(self.backend.quotas),
            "faults": _plain(self.backend.faults),
            "consistency": _plain(self.backend.consistency),
        }

    def _reset(self, _: dict[str, Any]) -> dict[str, Any]:
        self.backend.reset()
        return {"reset": True}

    def _advance(self, document: dict[str, Any]) -> dict[str, Any]:
        clock = self.backend.clock
        if not isinstance(clock, ManualClock):
            raise ControlError(409, "the emulator's clock is not a manual clock; nothing to advance")
        seconds = document.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise ControlError(400, "'seconds' must be a non-negative number")
        clock.advance(float(seconds))
        return {"now": clock.now()}

    def _update_settings(self, document: dict[str, Any]) -> dict[str, Any]:
        unknown = set(document) - {"latency", "time_scale", "quotas", "faults", "consistency"}
        if unknown:
            raise ControlError(400, f"unknown settings {sorted(unknown)}")
        # Build everything first, then apply: a bad field leaves every setting as it was.
        changes: dict[str, Any] = {}
        if "latency" in document:
            changes["latency"] = _latency(document["latency"])
        if "time_scale" in document:
            scale = document["time_scale"]
            if isinstance(scale, bool) or not isinstance(scale, int | float) or scale <= 0:
                raise ControlError(400, "'time_scale' must be a positive number")
            changes["clock"] = ScaledClock(float(scale))
        if "quotas" in document:
            changes["quotas"] = _quotas(document["quotas"])
        if "faults" in document:
            changes["faults"] = _faults(document["faults"])
        if "consistency" in document:
            changes["consistency"] = _consistency(document["consistency"])
        for name, value in changes.items():
            setattr(self.backend, name, value)
        _log.info("emulator.settings_changed", settings=sorted(changes))
        return self.settings()


def _latency(value: Any) -> LatencyProfile:
    if isinstance(value, str):
        return LatencyProfile.named(value)
    if isinstance(value, dict):
        unknown = set(value) - {f.name for f in dataclasses.fields(LatencyProfile)}
        if unknown:
            raise ControlError(400, f"unknown latency settings {sorted(unknown)}")
        fields: dict[str, Any] = {k: float(v) if k == "jitter" else _duration(k, v) for k, v in value.items()}
        return LatencyProfile(**fields)
    raise ControlError(
        400, "'latency' must be a profile name (instant, realistic, production) or an object of durations"
    )


def _duration(name: str, value: Any) -> Duration:
    """Seconds, {"median", "p99"[, "cap"]} (lognormal) or {"typical", "tail", "fraction"} (long tail)."""
    if isinstance(value, dict):
        if {"median", "p99"} <= set(value) <= {"median", "p99", "cap"}:
            return LogNormal(**{k: float(v) for k, v in value.items() if v is not None})
        if set(value) == {"typical", "tail", "fraction"}:
            return LongTail(**{k: float(v) for k, v in value.items()})
        raise ControlError(
            400, f"latency {name!r}: a distribution is {{median, p99[, cap]}} or {{typical, tail, fraction}}"
        )
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ControlError(400, f"latency {name!r} must be seconds or a distribution")
    return float(value)


def _quotas(value: Any) -> QuotaSettings:
    if isinstance(value, str):
        return QuotaSettings.named(value)
    if not isinstance(value, dict):
        raise ControlError(400, "'quotas' must be off, aws or an object of per-family rates")
    fields = {f.name for f in dataclasses.fields(QuotaSettings)}
    # "asset": 5 is shorthand for "asset_tps": 5; null switches a family's rate off.
    spelled = {k if k in fields else f"{k}_tps": v for k, v in value.items()}
    unknown = set(spelled) - fields
    if unknown:
        raise ControlError(400, f"unknown quota settings {sorted(unknown)}")
    return QuotaSettings(**spelled)


def _faults(value: Any) -> FaultSettings:
    if value is None:
        return FaultSettings()
    if not isinstance(value, dict):
        raise ControlError(400, "'faults' must be an object of FaultSettings fields or null")
    spelled = dict(value)
    unknown = set(spelled) - {f.name for f in dataclasses.fields(FaultSettings)}
    if unknown:
        raise ControlError(400, f"unknown fault settings {sorted(unknown)}")
    if "fail_delete_ids" in spelled:
        spelled["fail_delete_ids"] = frozenset(spelled["fail_delete_ids"])
    if spelled.get("operations") is not None:
        spelled["operations"] = frozenset(spelled["operations"])
    return FaultSettings(**spelled)


def _consistency(value: Any) -> ConsistencySettings:
    if value is None:
        return ConsistencySettings()
    if not isinstance(value, dict):
        raise ControlError(400, "'consistency' must be an object of seconds (list_lag, create_lag, delete_lag) or null")
    unknown = set(value) - {f.name for f in dataclasses.fields(ConsistencySettings)}
    if unknown:
        raise ControlError(400, f"unknown consistency settings {sorted(unknown)}")
    return ConsistencySettings(**value)


def _plain(settings: Any) -> Any:
    data = dataclasses.asdict(settings)
    return {k: sorted(v) if isinstance(v, frozenset) else v for k, v in data.items()}


def _profile_name(profile: LatencyProfile) -> str:
    for name in ("instant", "realistic", "production"):
        if profile == LatencyProfile.named(name):
            return name
    return "custom"


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
                request.method, request.path[len(CONTROL_PREFIX) :], request.get_data()
            )
            body = json.dumps(document, default=str, sort_keys=True).encode()
            response = Response(body, status=status, content_type="application/json")
            return response(environ, start_response)
        if self._signed_for(request) == "iotsitewise":
            answer = self.emulator.dispatch(request.method, request.url, dict(request.headers), request.get_data())
            fault = transport_fault_of(answer.headers)
            if fault is not None:
                self._hang_up(environ, wait_for_client=fault == READ_TIMEOUT)
                # werkzeug takes a ConnectionError from the app as a dropped connection: nothing is written.
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
    def _signed_for(request: Request) -> str | None:
        found = _SCOPE.search(request.headers.get("Authorization", ""))
        return found.group(1) if found else None

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
        self._server: BaseWSGIServer = make_server(host, port, app, threaded=True, request_handler=_QuietHandler)
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


class _QuietHandler(WSGIRequestHandler):
    # (No keep-alive to gain here: werkzeug's dev server closes every connection after one response.)
    # werkzeug logs every request line; at thousands of requests per second that is noise and cost.
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        return None


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
