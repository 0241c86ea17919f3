"""Injected failures, decided by a seeded RNG so a failing run can be replayed exactly."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from teardown.emulator.service.error_rules import ErrorRule, RuleBook
from teardown.emulator.service.failures import FailureDetails

# Prefixes of operations that only read; every other served operation mutates.
_READ_PREFIXES = ("Describe", "List", "Get", "BatchGet", "Execute")


def is_mutating(operation: str) -> bool:
    return not operation.startswith(_READ_PREFIXES)


@dataclass(frozen=True)
class FaultSettings:
    """Probabilities and targets of injected failures; the defaults inject nothing.

    ``throttle_before``: ThrottlingException before the operation runs (nothing applied), beside the quotas:
    a throttling storm the client's own rate did not cause.
    ``internal_before``: InternalFailure before the operation runs (nothing applied).
    ``internal_after``: the operation is applied, then InternalFailure is answered (a lost response).
    ``added_latency``: seconds slept on the backend's clock before the operation.
    ``fail_delete_ids`` / ``fail_delete_rate``: a DELETING asset, model or portal ends FAILED instead of gone,
    reporting ``fail_delete_error`` in its status.
    ``fail_update_ids`` / ``fail_update_rate``: an UPDATING asset or model (an update, an association that
    touches a parent, a composite change) ends FAILED instead of ACTIVE, reporting ``fail_update_error``.
    ``operations``: the operations faults apply to; None means every mutating operation.
    ``errors``: error rules (``ErrorRule``), checked in order before the probabilities above; the first
    that strikes a call answers it.
    """

    throttle_before: float = 0.0
    internal_before: float = 0.0
    internal_after: float = 0.0
    added_latency: float = 0.0
    fail_delete_ids: frozenset[str] = field(default_factory=frozenset)
    fail_delete_rate: float = 0.0
    operations: frozenset[str] | None = None
    seed: int = 0
    errors: tuple[ErrorRule, ...] = ()
    fail_delete_error: FailureDetails = field(default_factory=FailureDetails)
    fail_update_ids: frozenset[str] = field(default_factory=frozenset)
    fail_update_rate: float = 0.0
    fail_update_error: FailureDetails = field(default_factory=FailureDetails)

    def __post_init__(self) -> None:
        # Accept any iterables (or the JSON form of rules and errors) and keep hashable values.
        object.__setattr__(self, "errors", tuple(_rule(r) for r in _iterable(self.errors)))
        object.__setattr__(self, "fail_delete_ids", frozenset(self.fail_delete_ids))
        object.__setattr__(self, "fail_update_ids", frozenset(self.fail_update_ids))
        object.__setattr__(self, "fail_delete_error", FailureDetails.from_value(self.fail_delete_error))
        object.__setattr__(self, "fail_update_error", FailureDetails.from_value(self.fail_update_error))

    def applies_to(self, operation: str) -> bool:
        if self.operations is None:
            return is_mutating(operation)
        return operation in self.operations


def _iterable(value: Iterable[Any] | Any) -> Iterable[Any]:
    if isinstance(value, ErrorRule | Mapping) or not isinstance(value, Iterable):
        raise ValueError("'errors' must be a list of error rules")
    return value


def _rule(value: ErrorRule | Mapping[str, Any]) -> ErrorRule:
    return value if isinstance(value, ErrorRule) else ErrorRule.from_dict(value)


class FaultDice:
    """Rolls the fault decisions for one backend; rebuilt (re-seeded, rule counts refilled) whenever the
    settings change."""

    def __init__(self, settings: FaultSettings) -> None:
        self.settings = settings
        self._rng = random.Random(settings.seed)
        self._rules = RuleBook(settings.errors, settings.seed)

    def error_rule(self, when: str, operation: str, params: Mapping[str, Any]) -> ErrorRule | None:
        """The error rule that strikes this call ``before`` or ``after`` it is applied, if any."""
        if not self._rules.rules:
            return None
        return self._rules.fire(when, operation, params, self.settings.applies_to)

    def _roll(self, probability: float) -> bool:
        # No draw at probability 0, so enabling one fault kind does not shift the others' sequence.
        return probability > 0 and self._rng.random() < probability

    def throttle_before(self, operation: str) -> bool:
        return self.settings.applies_to(operation) and self._roll(self.settings.throttle_before)

    def internal_before(self, operation: str) -> bool:
        return self.settings.applies_to(operation) and self._roll(self.settings.internal_before)

    def internal_after(self, operation: str) -> bool:
        return self.settings.applies_to(operation) and self._roll(self.settings.internal_after)

    def added_latency(self, operation: str) -> float:
        return self.settings.added_latency if self.settings.applies_to(operation) else 0.0

    def delete_fails(self, operation: str, resource_id: str) -> bool:
        if resource_id in self.settings.fail_delete_ids:
            return True
        return self.settings.applies_to(operation) and self._roll(self.settings.fail_delete_rate)

    def update_fails(self, operation: str, resource_id: str) -> bool:
        if resource_id in self.settings.fail_update_ids:
            return True
        return self.settings.applies_to(operation) and self._roll(self.settings.fail_update_rate)
