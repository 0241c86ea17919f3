"""Response serialization: the backend's output dict, or an error, -> status, headers and JSON body.

The output shape decides: header members go to headers, None is skipped, timestamps are epoch seconds,
blobs base64. A string member whose shape demands at least one character is absent when the resource has
no such value: the service leaves out a description it does not have, it never answers ``''``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from teardown.emulator.errors import EmulatorError


def serialize_output(operation: OperationModel, output: Mapping[str, Any]) -> tuple[int, dict[str, str], bytes]:
    status = int(operation.http.get("responseCode", 200))
    headers = {"Content-Type": "application/json"}
    shape = operation.output_shape
    if shape is None:
        return status, headers, b"" if status == 204 else b"{}"
    assert isinstance(shape, StructureShape)
    payload_name = shape.serialization.get("payload")
    document: dict[str, Any] = {}
    for name, member in shape.members.items():
        value = output.get(name)
        if value is None or _absent(member, value):
            continue
        location = member.serialization.get("location")
        if location == "header":
            headers[member.serialization.get("name", name)] = _header_text(value)
        elif location == "statusCode":
            status = int(value)
        elif name == payload_name and member.type_name != "structure":
            raw = value if isinstance(value, bytes) else str(value).encode()
            return status, {**headers, "Content-Type": "application/octet-stream"}, raw
        else:
            document[name] = _value(member, value)
    if payload_name is not None and payload_name in document:
        document = document[payload_name]
    body = b"" if status == 204 and not document else json.dumps(document, separators=(",", ":")).encode()
    return status, headers, body


def serialize_error(error: EmulatorError) -> tuple[int, dict[str, str], bytes]:
    document = {"message": error.message, **{k: v for k, v in error.extra.items() if v is not None}}
    headers = {"Content-Type": "application/json", "X-Amzn-ErrorType": error.code}
    return error.status, headers, json.dumps(document, default=str).encode()


def _value(shape: Shape, value: Any) -> Any:
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        # Only modelled members go out: what a real client would see, nothing the backend keeps privately.
        return {
            name: _value(member, value[name])
            for name, member in shape.members.items()
            if not _absent(member, value.get(name))
        }
    if kind == "list":
        assert isinstance(shape, ListShape)
        return [_value(shape.member, item) for item in value]
    if kind == "map":
        assert isinstance(shape, MapShape)
        return {key: _value(shape.value, item) for key, item in value.items()}
    if kind == "timestamp":
        return value.timestamp() if isinstance(value, datetime) else value
    if kind == "blob":
        raw = value if isinstance(value, bytes) else str(value).encode()
        return base64.b64encode(raw).decode("ascii")
    return value


def _absent(member: Shape, value: Any) -> bool:
    """None, or an empty string where the shape wants at least one character: not sent."""
    if value is None:
        return True
    return value == "" and member.type_name == "string" and int(member.metadata.get("min", 0)) >= 1


def _header_text(value: Any) -> str:
    if isinstance(value, datetime):
        return format_datetime(value, usegmt=True)
    return str(value).lower() if isinstance(value, bool) else str(value)
