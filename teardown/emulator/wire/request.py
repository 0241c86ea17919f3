"""Request parsing: an HTTP request's parts -> the operation's boto3-shaped input, validated.

Input members are gathered from where the model puts them (URI labels, query string, headers, JSON body),
text is turned into typed values, then the whole structure is validated.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from botocore.model import ListShape, OperationModel, Shape

from teardown.emulator.errors import InvalidRequest
from teardown.emulator.wire.validate import Validator

_NOT_GIVEN = object()


def parse_request(
    operation: OperationModel,
    labels: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
    body: bytes,
) -> dict[str, Any]:
    """The operation's params exactly as boto3 takes them; InvalidRequest (400) on any problem."""
    shape = operation.input_shape
    if shape is None:
        return {}
    checker = Validator()
    raw: dict[str, Any] = {}
    lowered = {k.lower(): v for k, v in headers.items()}
    payload_name = shape.serialization.get("payload")
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "uri":
            if wire_name in labels:
                raw[name] = labels[wire_name]
        elif location == "querystring":
            value = _from_query(member, wire_name, query, checker, name)
            if value is not _NOT_GIVEN:
                raw[name] = value
        elif location == "header":
            if wire_name.lower() in lowered:
                value = _from_text(member, lowered[wire_name.lower()], checker, name, "header")
                if value is not _NOT_GIVEN:
                    raw[name] = value
        elif name == payload_name and member.type_name in ("blob", "string") and body:
            raw[name] = body if member.type_name == "blob" else body.decode("utf-8", "replace")
    if payload_name is None or shape.members[payload_name].type_name == "structure":
        document = _json_body(body)
        target = document if payload_name is None else {payload_name: document}
        for name, value in target.items():
            body_member = shape.members.get(name)
            if body_member is not None and body_member.serialization.get("location") is None:
                raw[name] = value  # unknown body members are tolerated and dropped
    params = checker.structure(shape, raw, "")
    checker.raise_if_any()
    return params or {}


def _json_body(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidRequest(f"Could not parse the request body as JSON: {exc}") from None
    if not isinstance(document, dict):
        raise InvalidRequest("The request body must be a JSON object")
    return document


def _from_query(member: Shape, wire_name: str, query: Mapping[str, list[str]], checker: Validator, path: str) -> Any:
    if member.type_name == "map":  # a map without locationName takes every remaining key
        return {k: v[-1] for k, v in query.items()} if query else _NOT_GIVEN
    values = query.get(wire_name)
    if not values:
        return _NOT_GIVEN
    if member.type_name == "list":
        assert isinstance(member, ListShape)
        element = member.member
        items = [_from_text(element, v, checker, f"{path}.{i + 1}", "query") for i, v in enumerate(values)]
        return [item for item in items if item is not _NOT_GIVEN]
    return _from_text(member, values[-1], checker, path, "query")


def _from_text(member: Shape, text: str, checker: Validator, path: str, where: str) -> Any:
    """A query or header value as the JSON-like type the validator expects; _NOT_GIVEN when unreadable
    (the problem is already recorded, so "must not be null" is not reported on top of it)."""
    kind = member.type_name
    if kind in ("integer", "long"):
        try:
            return int(text)
        except ValueError:
            checker.fail(path, text, "Member must be an integer")
            return _NOT_GIVEN
    if kind in ("double", "float"):
        try:
            return float(text)
        except ValueError:
            checker.fail(path, text, "Member must be a number")
            return _NOT_GIVEN
    if kind == "boolean":
        if text in ("true", "false"):
            return text == "true"
        checker.fail(path, text, "Member must be a boolean (true or false)")
        return _NOT_GIVEN
    if kind == "timestamp":
        return _timestamp_text(member, text, checker, path, where)
    return text


def _timestamp_text(member: Shape, text: str, checker: Validator, path: str, where: str) -> Any:
    # rest-json defaults: ISO 8601 in the query string, RFC 822 in headers; epoch seconds if declared.
    fmt = member.serialization.get("timestampFormat") or ("iso8601" if where == "query" else "rfc822")
    try:
        if fmt == "unixTimestamp":
            return datetime.fromtimestamp(float(text), tz=UTC)
        if fmt == "rfc822":
            return parsedate_to_datetime(text).astimezone(UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, TypeError, OverflowError):
        checker.fail(path, text, f"Member must be a timestamp ({fmt})")
        return _NOT_GIVEN
