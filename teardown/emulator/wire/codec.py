"""The codec: one SiteWise HTTP request in, one HTTP response out (``Emulator``), read from the service model.

Everything is driven by the botocore service model for ``iotsitewise`` (rest-json). No per-operation
tables are written by hand: routing, parsing, validation and serialization all read the model.
The caller's account and region (``wire.caller``) pick the backend's world that answers.

The backend holds the rules; this layer only parses and serializes (moto's habit). It never decides
an error status itself: statuses come from the error classes, which mirror the model's error shapes.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

import botocore.session
import structlog
from botocore.model import OperationModel, ServiceModel

from teardown.emulator.errors import EmulatorError, InternalFailure, NotImplementedByEmulator
from teardown.emulator.wire.caller import caller_of
from teardown.emulator.wire.request import parse_request
from teardown.emulator.wire.response import serialize_error, serialize_output
from teardown.emulator.wire.routes import Router

_log = structlog.get_logger(__name__)

SERVICE_NAME = "iotsitewise"


class Backend(Protocol):
    """What the codec needs from ``SiteWiseBackend`` (so a small fake serves in tests too). ``account`` and
    ``region`` name the caller's world (``caller_of`` the request); None means the backend's default."""

    def handle(
        self, operation: str, params: dict[str, Any], *, account: str | None = None, region: str | None = None
    ) -> dict[str, Any]: ...

    def served_operations(self) -> frozenset[str]: ...

    def count_refused(self, operation: str, *, account: str | None = None, region: str | None = None) -> None: ...


class UnknownOperation(EmulatorError):
    """No operation of the service model has this method and path."""

    code = "UnknownOperationException"
    status = 404


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@functools.cache
def service_model() -> ServiceModel:
    """The installed botocore's iotsitewise model (loaded once: it is large)."""
    return botocore.session.get_session().get_service_model(SERVICE_NAME)


@functools.cache
def _router() -> Router:
    return Router(service_model())


class Emulator:
    """Answers SiteWise HTTP requests from a backend. Stateless apart from caches: thread-safe as long
    as the backend's ``handle`` is."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._model = service_model()
        self._router = _router()
        self._served: frozenset[str] | None = None

    def dispatch(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> HttpResponse:
        """One request -> one response. Never raises: every failure becomes an AWS-shaped error."""
        request_id = str(uuid.uuid4())
        try:
            status, out_headers, out_body = self._answer(method, url, headers, body)
        except EmulatorError as error:
            status, out_headers, out_body = serialize_error(error)
        except Exception as exc:  # a backend bug: say so as AWS would (500), and log it loudly
            _log.exception("emulator.internal_error", method=method, url=url)
            status, out_headers, out_body = serialize_error(InternalFailure(f"emulator error: {exc!r}"))
        out_headers["x-amzn-RequestId"] = request_id
        return HttpResponse(status, out_headers, out_body)

    def operation_for(self, method: str, url: str) -> str | None:
        """The operation name this request routes to, if any (used by the server and for tests)."""
        found = self._router.match(method, urlsplit(url).path)
        return found[0] if found else None

    def _answer(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(url)
        found = self._router.match(method, parts.path)
        if found is None:
            allowed = self._router.methods_for(parts.path)
            hint = f" (this path takes {', '.join(allowed)})" if allowed else ""
            raise UnknownOperation(f"No IoT SiteWise operation matches {method.upper()} {parts.path}{hint}")
        name, labels = found
        caller = caller_of(headers)
        operation: OperationModel = self._model.operation_model(name)
        try:
            if name not in self._served_operations():
                raise NotImplementedByEmulator(
                    f"{name} is an IoT SiteWise operation that this emulator does not implement"
                )
            params = parse_request(operation, labels, parse_qs(parts.query, keep_blank_values=True), headers, body)
        except EmulatorError:
            # Refused before the backend saw it, but a call all the same: "not one mutating call" must see it.
            self.backend.count_refused(name, account=caller.account, region=caller.region)
            raise
        output = self.backend.handle(name, params, account=caller.account, region=caller.region)
        return serialize_output(operation, output)

    def _served_operations(self) -> frozenset[str]:
        if self._served is None:
            self._served = self.backend.served_operations()
        return self._served
