"""A faithful AWS IoT SiteWise emulator: its curated public API.

The state and its rules (``SiteWiseBackend``) are served in-process to boto3 (``mock_sitewise``) or over
HTTP (``serve``), on a clock the caller controls. Inside: ``wire`` parses and serializes HTTP from the
botocore service model, ``service`` holds the state and the rules per resource family, ``seed`` creates
worlds through any boto3 client. The emulator imports nothing of the engine, and the engine never imports
it; tests, the demo and benchmarks connect the two through boto3.
Names are imported on first use, so ``import teardown.emulator`` stays cheap (the HTTP server pulls in
werkzeug and moto) and a submodule never drags in the others.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from teardown.emulator.backend import SiteWiseBackend
    from teardown.emulator.clock import Clock, ManualClock, ScaledClock
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
    from teardown.emulator.hook import mock_sitewise
    from teardown.emulator.server import EmulatorServer, serve
    from teardown.emulator.service.consistency import ConsistencySettings
    from teardown.emulator.service.error_rules import ErrorRule
    from teardown.emulator.service.failures import DetailedError, FailureDetails
    from teardown.emulator.service.faults import FaultSettings, is_mutating
    from teardown.emulator.service.latency import LatencyProfile, LogNormal, LongTail
    from teardown.emulator.service.quotas import QuotaSettings
    from teardown.emulator.wire.codec import Emulator, HttpResponse

# Where each public name lives, so it is imported on first use.
_HOMES = {
    "Clock": "clock",
    "ConflictingOperation": "errors",
    "ConsistencySettings": "service.consistency",
    "DetailedError": "service.failures",
    "Emulator": "wire.codec",
    "EmulatorError": "errors",
    "EmulatorServer": "server",
    "ErrorRule": "service.error_rules",
    "FailureDetails": "service.failures",
    "FaultSettings": "service.faults",
    "HttpResponse": "wire.codec",
    "InternalFailure": "errors",
    "InvalidRequest": "errors",
    "LatencyProfile": "service.latency",
    "LimitExceeded": "errors",
    "LogNormal": "service.latency",
    "LongTail": "service.latency",
    "ManualClock": "clock",
    "NotImplementedByEmulator": "errors",
    "PreconditionFailed": "errors",
    "QuotaSettings": "service.quotas",
    "ResourceAlreadyExists": "errors",
    "ResourceNotFound": "errors",
    "ScaledClock": "clock",
    "SiteWiseBackend": "backend",
    "Throttling": "errors",
    "is_mutating": "service.faults",
    "mock_sitewise": "hook",
    "serve": "server",
}

__all__ = [
    "Clock",
    "ConflictingOperation",
    "ConsistencySettings",
    "DetailedError",
    "Emulator",
    "EmulatorError",
    "EmulatorServer",
    "ErrorRule",
    "FailureDetails",
    "FaultSettings",
    "HttpResponse",
    "InternalFailure",
    "InvalidRequest",
    "LatencyProfile",
    "LimitExceeded",
    "LogNormal",
    "LongTail",
    "ManualClock",
    "NotImplementedByEmulator",
    "PreconditionFailed",
    "QuotaSettings",
    "ResourceAlreadyExists",
    "ResourceNotFound",
    "ScaledClock",
    "SiteWiseBackend",
    "Throttling",
    "is_mutating",
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
