"""clientToken bookkeeping: the first answer of a token is replayed, other parameters are refused."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from teardown.emulator.errors import InvalidRequest


def _fingerprint(operation: str, params: dict[str, Any]) -> str:
    rest = {k: v for k, v in params.items() if k != "clientToken"}
    return json.dumps([operation, rest], sort_keys=True, default=str)


@dataclass(frozen=True)
class _Entry:
    fingerprint: str
    answer: dict[str, Any]


class TokenLedger:
    """Answers of successful mutations by clientToken (tokens are account-wide, as the strict reading)."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def replay(self, operation: str, params: dict[str, Any]) -> dict[str, Any] | None:
        """The recorded answer for this token, None if the token is new; refuses a token reused otherwise."""
        token = params.get("clientToken")
        if token is None:
            return None
        entry = self._entries.get(token)
        if entry is None:
            return None
        if entry.fingerprint != _fingerprint(operation, params):
            raise InvalidRequest(
                f"The clientToken {token} was already used by a different request ({operation} or other "
                "parameters); use a new token."
            )
        return copy.deepcopy(entry.answer)

    def record(self, operation: str, params: dict[str, Any], answer: dict[str, Any]) -> None:
        token = params.get("clientToken")
        if token is not None:
            self._entries[token] = _Entry(_fingerprint(operation, params), copy.deepcopy(answer))

    def clear(self) -> None:
        self._entries.clear()
