"""Opaque, tamper-evident list pagination: a token names an offset into one particular listing.

The token is urlsafe base64 of JSON holding the offset and a hash of the operation and its filter
parameters, so a token reused with other filters (or forged, or from another listing) is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from typing import Any, TypeVar

from teardown.emulator.errors import InvalidRequest

T = TypeVar("T")
DEFAULT_PAGE = 50
_NOT_FILTERS = frozenset({"nextToken", "maxResults"})


def _listing_hash(operation: str, params: dict[str, Any]) -> str:
    filters = {k: v for k, v in params.items() if k not in _NOT_FILTERS}
    blob = json.dumps([operation, filters], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _offset_of(token: str, expected_hash: str) -> int:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset, listing = decoded["o"], decoded["h"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise InvalidRequest(f"The nextToken {token!r} is not valid.") from exc
    if listing != expected_hash or not isinstance(offset, int) or offset < 0:
        raise InvalidRequest(f"The nextToken {token!r} does not belong to this listing.")
    return offset


def paginate(operation: str, params: dict[str, Any], items: Sequence[T]) -> tuple[list[T], dict[str, str]]:
    """One page of ``items`` and the output members to add (``nextToken`` when more remain)."""
    listing = _listing_hash(operation, params)
    token = params.get("nextToken")
    start = _offset_of(token, listing) if token is not None else 0
    size = int(params.get("maxResults") or DEFAULT_PAGE)
    page = list(items[start : start + size])
    end = start + size
    if end < len(items):
        raw = json.dumps({"o": end, "h": listing}).encode()
        return page, {"nextToken": base64.urlsafe_b64encode(raw).decode()}
    return page, {}
