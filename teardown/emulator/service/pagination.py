"""Opaque, tamper-evident list pagination: a token marks a position by key, not by index.

Every listing is in the order of a key that never changes while an item exists (its creation sequence,
or a tuple of them); a page holds the items after the last key the previous page returned. Items created
or deleted between two pages therefore never make another item be skipped or listed twice: an item
deleted before its turn is simply not listed, one created after the listing began comes at the end.

The token is base64 (the alphabet of the model's NextToken pattern, ``[A-Za-z0-9+/=]+``) of JSON holding
that last key, a hash of the operation and its filter parameters, and a check over both, so a token reused
with other filters, forged, edited, or from another listing is refused with InvalidRequest.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from teardown.emulator.errors import InvalidRequest

T = TypeVar("T")
Key = tuple[int, ...]
DEFAULT_PAGE = 50
_NOT_FILTERS = frozenset({"nextToken", "maxResults"})
# Not a secret: it only makes an edited token fail its check instead of silently moving the position.
_SALT = b"iotsitewise-emulator-pagination"


def _listing_hash(operation: str, params: dict[str, Any]) -> str:
    filters = {k: v for k, v in params.items() if k not in _NOT_FILTERS}
    blob = json.dumps([operation, filters], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _check(listing: str, key: Key) -> str:
    blob = json.dumps([listing, list(key)]).encode()
    return hmac.new(_SALT, blob, hashlib.sha256).hexdigest()[:16]


def _token(listing: str, key: Key) -> str:
    raw = json.dumps({"k": list(key), "h": listing, "c": _check(listing, key)}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def _after_key(token: str, expected_hash: str) -> Key:
    try:
        decoded = json.loads(base64.b64decode(token.encode(), validate=True))
        raw_key, listing, check = decoded["k"], decoded["h"], decoded["c"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise InvalidRequest(f"The nextToken {token!r} is not valid.") from exc
    if (
        not isinstance(raw_key, list)
        or not raw_key
        or not all(isinstance(part, int) and not isinstance(part, bool) for part in raw_key)
    ):
        raise InvalidRequest(f"The nextToken {token!r} is not valid.")
    key = tuple(raw_key)
    if listing != expected_hash:
        raise InvalidRequest(f"The nextToken {token!r} does not belong to this listing.")
    if not isinstance(check, str) or not hmac.compare_digest(check, _check(listing, key)):
        raise InvalidRequest(f"The nextToken {token!r} is not valid.")
    return key


def paginate(
    operation: str, params: dict[str, Any], items: Iterable[T], key: Callable[[T], Key]
) -> tuple[list[T], dict[str, str]]:
    """One page of ``items`` in ``key`` order and the output members to add (``nextToken`` when more remain).

    ``key`` must be unique within the listing and fixed for as long as the item exists.
    """
    listing = _listing_hash(operation, params)
    token = params.get("nextToken")
    ordered = sorted(((key(item), item) for item in items), key=lambda pair: pair[0])
    keys = [k for k, _ in ordered]
    if len(set(keys)) != len(keys):  # pragma: no cover - a rule module handed items without unique keys
        raise AssertionError(f"{operation}: listing keys are not unique")
    if token is not None:
        after = _after_key(token, listing)
        ordered = [(k, item) for k, item in ordered if k > after]
    size = int(params.get("maxResults") or DEFAULT_PAGE)
    page = ordered[:size]
    if len(ordered) > size:
        return [item for _, item in page], {"nextToken": _token(listing, page[-1][0])}
    return [item for _, item in page], {}
