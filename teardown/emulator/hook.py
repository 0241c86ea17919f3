"""In-process hook: boto3 ``iotsitewise`` clients answered by an emulator backend, no sockets.

Like moto's ``botocore_stubber``: one handler sits in botocore's ``BUILTIN_HANDLERS`` (so every session,
hence every client, created after this module is imported carries it) and does nothing unless a
``mock_sitewise`` context is active. It listens on ``before-send.iotsitewise``, which is more specific
than moto's ``before-send``: botocore calls the most specific handler first and takes the first answer,
so inside moto's ``mock_aws()`` we answer SiteWise while moto answers STS and the rest.
Transport faults of the error rules surface as botocore's own exceptions, raised from the handler as a
real send would raise them: ``ConnectionClosedError`` for a dropped connection, ``ReadTimeoutError`` for
a stall past the read timeout (botocore's retry logic sees them exactly as on a real network).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from typing import Any

import boto3
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.compat import HTTPHeaders
from botocore.exceptions import ConnectionClosedError, ReadTimeoutError
from botocore.handlers import BUILTIN_HANDLERS

from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.service.error_rules import DROPPED_CONNECTION, READ_TIMEOUT, transport_fault_of
from teardown.emulator.wire.codec import Emulator

EVENT = "before-send.iotsitewise"
_UNIQUE_ID = "teardown.emulator.hook.mock_sitewise"
_ANSWERED = "_teardown_emulator_answered"


class _RawBody(BytesIO):
    """What botocore reads a response body from (it streams ``raw``)."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()


class _Stubber:
    """Answers from the innermost active emulator; returns None (send for real) when none is active.

    A process-wide stack, not a context variable: the engine calls from worker threads, which must see
    the emulator that the test activated on the main thread.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stack: list[Emulator] = []

    def push(self, emulator: Emulator) -> None:
        with self._lock:
            self._stack.append(emulator)

    def pop(self, emulator: Emulator) -> None:
        with self._lock:
            # Remove this context's entry even if contexts were exited out of order.
            for index in range(len(self._stack) - 1, -1, -1):
                if self._stack[index] is emulator:
                    del self._stack[index]
                    break

    def active(self) -> Emulator | None:
        with self._lock:
            return self._stack[-1] if self._stack else None

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        emulator = self.active()
        # botocore calls every handler of the event, not only until one answers: a client carrying this
        # handler twice (builtin + default-session registration) must not run the operation twice.
        if emulator is None or getattr(request, _ANSWERED, False):
            return None
        setattr(request, _ANSWERED, True)
        body = request.body
        if body is None:
            data = b""
        elif isinstance(body, bytes):
            data = body
        elif isinstance(body, str):
            data = body.encode("utf-8")
        elif isinstance(body, bytearray):
            data = bytes(body)
        else:  # a file-like body (botocore may pass one for streaming inputs)
            chunk = body.read()
            data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
        # botocore keeps some header values (If-Match, signatures) as bytes; HTTP would carry them as text.
        headers = {
            key: value.decode("latin-1") if isinstance(value, bytes) else str(value)
            for key, value in request.headers.items()
        }
        answer = emulator.dispatch(request.method or "GET", request.url or "/", headers, data)
        fault = transport_fault_of(answer.headers)
        if fault == DROPPED_CONNECTION:
            # What botocore raises when the server closes the connection without an answer.
            raise ConnectionClosedError(endpoint_url=request.url)
        if fault == READ_TIMEOUT:
            raise ReadTimeoutError(endpoint_url=request.url)
        response_headers = HTTPHeaders()
        for key, value in answer.headers.items():
            response_headers[key] = value
        return AWSResponse(request.url, answer.status, response_headers, _RawBody(answer.body))


_stubber = _Stubber()
BUILTIN_HANDLERS.append((EVENT, _stubber))


def _register_on_default_session() -> None:
    # boto3's default session may have been created before this module was imported; its clients
    # would not carry the builtin handler. unique_id makes repeated registration a no-op.
    session = boto3.DEFAULT_SESSION
    if session is not None:
        session.events.register(EVENT, _stubber, unique_id=_UNIQUE_ID)  # type: ignore[arg-type]


@contextmanager
def mock_sitewise(backend: SiteWiseBackend | None = None, **backend_kwargs: Any) -> Iterator[SiteWiseBackend]:
    """Serve every boto3 ``iotsitewise`` client in this process from ``backend`` while active.

    Without a backend, one is built from ``backend_kwargs`` (SiteWiseBackend's keyword arguments).
    Nestable: the innermost context answers; leaving it restores the outer one. Works inside moto's
    ``mock_aws()`` and with host prefix injection on or off (the codec ignores the host).
    """
    if backend is None:
        backend = SiteWiseBackend(**backend_kwargs)
    elif backend_kwargs:
        raise TypeError("pass either a backend or keyword arguments to build one, not both")
    emulator = Emulator(backend)
    _register_on_default_session()
    _stubber.push(emulator)
    try:
        yield backend
    finally:
        _stubber.pop(emulator)
