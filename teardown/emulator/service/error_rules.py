"""Error rules: answer a chosen error on chosen calls, the next N times or with a seeded probability.

A rule names an operation (or every operation the fault settings cover), an error code, how often it
fires (``count`` times, or with a ``probability`` drawn from a seeded RNG, or on every matching call),
optionally one resource id the call's parameters must name, and ``when`` it strikes: ``before`` (nothing
applied) or ``after`` (applied, then the error answered: a lost response). Besides AWS error codes, two
transport faults: ``DroppedConnection`` (the connection closes without an answer) and ``ReadTimeout``
(the call stalls past the client's read timeout). The backend raises them as ``TransportFault``; the HTTP
server and the in-process hook turn that into what the wire would show.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import botocore.session
from botocore.model import ServiceModel

from teardown.emulator.errors import EmulatorError

__all__ = [
    "AWS_WIDE_STATUS",
    "DROPPED_CONNECTION",
    "READ_TIMEOUT",
    "ErrorRule",
    "InjectedError",
    "RuleBook",
    "TransportFault",
    "status_of",
    "transport_fault_of",
]

DROPPED_CONNECTION = "DroppedConnection"
READ_TIMEOUT = "ReadTimeout"
TRANSPORT_CODES = frozenset({DROPPED_CONNECTION, READ_TIMEOUT})
# Status of common AWS errors that every service may answer, for codes the service model does not declare.
AWS_WIDE_STATUS: dict[str, int] = {
    "AccessDeniedException": 403,
    "ExpiredTokenException": 403,
    "UnrecognizedClientException": 403,
    "ThrottlingException": 429,
    "ServiceUnavailableException": 503,
    "InternalFailureException": 500,
    "ConflictingOperationException": 409,
    "LimitExceededException": 410,
}
# The header the codec writes an error's code into; a transport fault never leaves the process with it.
_ERROR_TYPE = "X-Amzn-ErrorType"
_WHEN = ("before", "after")


@functools.cache
def _model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("iotsitewise")


@functools.cache
def _declared_statuses() -> dict[str, int]:
    """Code -> HTTP status of every error shape the service model declares."""
    model = _model()
    out: dict[str, int] = {}
    for name in model.operation_names:
        for shape in model.operation_model(name).error_shapes:
            out[shape.name] = int(shape.metadata.get("error", {}).get("httpStatusCode", 400))
    return out


def known_codes() -> frozenset[str]:
    return frozenset(_declared_statuses()) | frozenset(AWS_WIDE_STATUS) | TRANSPORT_CODES


def status_of(code: str, operation: str | None = None) -> int:
    """The status the service answers ``code`` with: the operation's error shape if it declares the code,
    else the model's shape of that name, else the AWS-wide status."""
    if operation is not None and operation in _model().operation_names:
        for shape in _model().operation_model(operation).error_shapes:
            if shape.name == code:
                return int(shape.metadata.get("error", {}).get("httpStatusCode", 400))
    declared = _declared_statuses().get(code)
    if declared is not None:
        return declared
    return AWS_WIDE_STATUS.get(code, 500)


class InjectedError(EmulatorError):
    """An error answered because a rule said so; its code and status are the rule's."""

    def __init__(self, code: str, status: int, message: str, **extra: Any) -> None:
        super().__init__(message, **extra)
        self.code = code
        self.status = status


class TransportFault(EmulatorError):
    """No answer at all: the connection drops (``DroppedConnection``) or stalls (``ReadTimeout``).

    The codec serializes it like any error (status 599, the code in ``X-Amzn-ErrorType``); the HTTP server
    and the in-process hook recognise it with ``transport_fault_of`` and answer nothing instead.
    """

    status = 599

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def transport_fault_of(headers: Mapping[str, str]) -> str | None:
    """``DroppedConnection`` or ``ReadTimeout`` when a response stands for a transport fault, else None."""
    code = headers.get(_ERROR_TYPE)
    return code if code in TRANSPORT_CODES else None


@dataclass(frozen=True, kw_only=True)
class ErrorRule:
    """Answer ``code`` to calls of ``operation`` (None: every operation the fault settings cover, by
    default every mutating one).

    ``count``: the next N matching calls; ``probability``: each matching call with this chance (drawn from
    the fault seed, so a run replays); neither: every matching call. ``resource``: only calls whose
    parameters name this id. ``when``: ``before`` (nothing applied) or ``after`` (applied, then the error).
    ``message`` replaces the default text. ``stall``: for ``ReadTimeout``, the seconds the call holds on the
    emulator's clock (default 60, botocore's default read timeout) before the connection closes.
    """

    code: str
    operation: str | None = None
    count: int | None = None
    probability: float | None = None
    resource: str | None = None
    when: Literal["before", "after"] = "before"
    message: str | None = None
    stall: float = 60.0

    def __post_init__(self) -> None:
        if self.code not in known_codes():
            raise ValueError(
                f"unknown error code {self.code!r}; expected an error of the service model, one of "
                f"{sorted(AWS_WIDE_STATUS)}, or one of {sorted(TRANSPORT_CODES)}"
            )
        if self.operation is not None and self.operation not in _model().operation_names:
            raise ValueError(f"{self.operation!r} is not an operation of iotsitewise")
        if self.count is not None and (isinstance(self.count, bool) or not isinstance(self.count, int)):
            raise ValueError("'count' must be a positive integer")
        if self.count is not None and self.count < 1:
            raise ValueError("'count' must be a positive integer")
        if self.probability is not None and not 0.0 <= self.probability <= 1.0:
            raise ValueError("'probability' must be between 0 and 1")
        if self.count is not None and self.probability is not None:
            raise ValueError("give an error rule either a 'count' or a 'probability', not both")
        if self.when not in _WHEN:
            raise ValueError(f"'when' must be one of {list(_WHEN)}")
        if self.stall < 0:
            raise ValueError("'stall' must not be negative")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ErrorRule:
        """A rule from its JSON form (the control API's ``faults.errors`` items)."""
        if not isinstance(data, Mapping):
            raise ValueError("each error rule must be an object")
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown error rule fields {sorted(unknown)}")
        if "code" not in data:
            raise ValueError("an error rule needs a 'code'")
        return cls(**data)

    def matches(self, operation: str, params: Mapping[str, Any], covered: Callable[[str], bool]) -> bool:
        wanted = operation == self.operation if self.operation is not None else covered(operation)
        if not wanted:
            return False
        return self.resource is None or _names(params, self.resource)

    def error(self, operation: str, *, applied: bool, conflict: tuple[str, str] | None = None) -> EmulatorError:
        """What to raise for one firing of this rule."""
        outcome = "it was applied" if applied else "nothing was applied"
        message = self.message or f"Injected {self.code} for {operation} by an error rule ({outcome})."
        if self.code in TRANSPORT_CODES:
            return TransportFault(self.code, message)
        extra: dict[str, Any] = {}
        if self.code == "ConflictingOperationException" and conflict is not None:
            extra = {"resourceId": conflict[0], "resourceArn": conflict[1]}
        return InjectedError(self.code, status_of(self.code, operation), message, **extra)


def _names(value: Any, resource_id: str) -> bool:
    """Whether ``resource_id`` appears among the (nested) string values of the call's parameters."""
    if isinstance(value, str):
        return value == resource_id
    if isinstance(value, Mapping):
        return any(_names(v, resource_id) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_names(v, resource_id) for v in value)
    return False


class RuleBook:
    """The live state of a set of rules: what each ``count`` has left, and a seeded RNG of its own (so
    rules never shift the draws of the other fault kinds)."""

    def __init__(self, rules: Sequence[ErrorRule], seed: int) -> None:
        self.rules = tuple(rules)
        self._left = [rule.count for rule in self.rules]
        self._rng = random.Random(f"error-rules:{seed}")

    def fire(
        self, when: str, operation: str, params: Mapping[str, Any], covered: Callable[[str], bool]
    ) -> ErrorRule | None:
        """The first rule that strikes this call at ``when``, spending one of its count; None otherwise."""
        for index, rule in enumerate(self.rules):
            if rule.when != when or not rule.matches(operation, params, covered):
                continue
            left = self._left[index]
            if left is not None:
                if left <= 0:
                    continue
                self._left[index] = left - 1
                return rule
            if rule.probability is None or (rule.probability > 0 and self._rng.random() < rule.probability):
                return rule
        return None
