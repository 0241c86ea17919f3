"""A faithful AWS IoT SiteWise emulator: the state and its rules (``SiteWiseBackend``), served
in-process to boto3 (``mock_sitewise``) or over HTTP (``serve``), on a clock the caller controls.

The engine never imports this package; tests, the demo and benchmarks connect the two through boto3.
Names are imported on first use, so ``import teardown.emulator`` stays cheap (the HTTP server pulls in
werkzeug and moto) and a submodule never drags in the others.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from teardown.emulator.backend import SiteWiseBackend
    from teardown.emulator.clock import ManualClock, ScaledClock
    from teardown.emulator.errors import (
        ConflictingOperation,
        EmulatorError,
        InternalFailure,
        InvalidRequest,
        LimitExceeded,
        NotImplementedByEmulator,
        PreconditionFailed,
        ResourceAlreadyExists,
        ResourceNotFound,
        Throttling,
    )
    from teardown.emulator.faults import FaultSettings
    from teardown.emulator.hook import mock_sitewise
    from teardown.emulator.latency import LatencyProfile
    from teardown.emulator.quotas import QuotaSettings
    from teardown.emulator.server import EmulatorServer, serve
    from teardown.emulator.wire.codec import Emulator, HttpResponse

_HOMES = {
    "ConflictingOperation": "errors",
    "Emulator": "wire.codec",
    "EmulatorError": "errors",
    "EmulatorServer": "server",
    "FaultSettings": "faults",
    "HttpResponse": "wire.codec",
    "InternalFailure": "errors",
    "InvalidRequest": "errors",
    "LatencyProfile": "latency",
    "LimitExceeded": "errors",
    "ManualClock": "clock",
    "NotImplementedByEmulator": "errors",
    "PreconditionFailed": "errors",
    "QuotaSettings": "quotas",
    "ResourceAlreadyExists": "errors",
    "ResourceNotFound": "errors",
    "ScaledClock": "clock",
    "SiteWiseBackend": "backend",
    "Throttling": "errors",
    "mock_sitewise": "hook",
    "serve": "server",
}

__all__ = [
    "ConflictingOperation",
    "Emulator",
    "EmulatorError",
    "EmulatorServer",
    "FaultSettings",
    "HttpResponse",
    "InternalFailure",
    "InvalidRequest",
    "LatencyProfile",
    "LimitExceeded",
    "ManualClock",
    "NotImplementedByEmulator",
    "PreconditionFailed",
    "QuotaSettings",
    "ResourceAlreadyExists",
    "ResourceNotFound",
    "ScaledClock",
    "SiteWiseBackend",
    "Throttling",
    "mock_sitewise",
    "serve",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
