"""Input validation against the service model's shapes, converting wire values to boto3-style params.

Types, required members, lengths, ranges, patterns, enums, unions: one walk that also converts wire
values to what boto3 callers pass (timestamps -> aware datetime, blobs -> bytes), so the backend sees
exactly boto3-style params.

Every problem is collected and reported in one InvalidRequestException, in the style of AWS
("2 validation errors detected: Value ... at 'assetName' failed to satisfy constraint: ...").
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from datetime import UTC, datetime
from typing import Any

import structlog
from botocore.model import ListShape, MapShape, Shape, StructureShape

from teardown.emulator.errors import InvalidRequest

_log = structlog.get_logger(__name__)

# Space separators (\p{Zs}) spelled out: Python's `re` has no Unicode property classes.
_SPACE_SEPARATORS = " \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"


@functools.cache
def compiled_pattern(pattern: str) -> re.Pattern[str] | None:
    """The model's (Java-flavoured) pattern as a Python regex; None when it cannot be expressed."""
    for candidate in (pattern, _translate(pattern)):
        try:
            return re.compile(candidate)
        except re.error:
            continue
    _log.warning("emulator.pattern_untranslatable", pattern=pattern)
    return None


def _translate(pattern: str) -> str:
    """Rewrite the two Java-only constructs this model uses into Python syntax."""
    # Java allows an inline "(?i)" mid-pattern; Python wants the scoped "(?i:...)".
    out = re.sub(r"\(\?!\(\?i\)([^()]*)\)", r"(?!(?i:\1))", pattern)
    # \p{L}/\p{N}/\p{Zs} appear only inside character classes, where nothing can be subtracted:
    # letters become \w, which also admits digits and "_". The one class that uses \p{L} admits
    # digits (\p{N}) and "_" anyway, so nothing is loosened in practice.
    return out.replace(r"\p{L}", r"\w").replace(r"\p{N}", r"\d").replace(r"\p{Zs}", _SPACE_SEPARATORS)


class Validator:
    """Collects violations while converting one request's raw values."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, value: Any, constraint: str) -> None:
        shown = "*** sensitive ***" if value is _SENSITIVE else _show(value)
        self.problems.append(f"Value {shown} at '{path}' failed to satisfy constraint: {constraint}")

    def raise_if_any(self) -> None:
        if not self.problems:
            return
        count = len(self.problems)
        noun = "error" if count == 1 else "errors"
        raise InvalidRequest(f"{count} validation {noun} detected: " + "; ".join(self.problems))

    def structure(self, shape: StructureShape, raw: Any, path: str) -> dict[str, Any] | None:
        if not isinstance(raw, dict):
            self.fail(path or shape.name, raw, "Member must be a structure (JSON object)")
            return None
        result: dict[str, Any] = {}
        for name in shape.required_members:
            if raw.get(name) is None:
                self.fail(_join(path, name), None, "Member must not be null")
        for name, member in shape.members.items():
            value = raw.get(name)
            if value is None:
                continue  # absent or JSON null: botocore's "not given"
            converted = self.value(member, value, _join(path, name))
            if converted is not None:
                result[name] = converted
        # Unknown members are tolerated (newer clients may send them) and dropped.
        if shape.metadata.get("union") and len(result) != 1:
            self.fail(path or shape.name, sorted(result), "Union must have exactly one member set")
        return result

    def value(self, shape: Shape, raw: Any, path: str) -> Any:
        kind = shape.type_name
        if kind == "structure":
            assert isinstance(shape, StructureShape)
            return self.structure(shape, raw, path)
        if kind == "list":
            assert isinstance(shape, ListShape)
            return self._list(shape, raw, path)
        if kind == "map":
            assert isinstance(shape, MapShape)
            return self._map(shape, raw, path)
        if kind == "string":
            return self._string(shape, raw, path)
        if kind in ("integer", "long"):
            return self._integer(shape, raw, path)
        if kind in ("double", "float"):
            return self._number(shape, raw, path)
        if kind == "boolean":
            if not isinstance(raw, bool):
                self.fail(path, raw, "Member must be a boolean")
                return None
            return raw
        if kind == "timestamp":
            return self._timestamp(raw, path)
        if kind == "blob":
            return self._blob(shape, raw, path)
        return raw  # document and other free-form shapes

    def _list(self, shape: ListShape, raw: Any, path: str) -> list[Any] | None:
        if not isinstance(raw, list):
            self.fail(path, raw, "Member must be a list")
            return None
        self._size(shape, len(raw), raw, path, "length")
        return [self.value(shape.member, item, f"{path}.{i + 1}") for i, item in enumerate(raw)]

    def _map(self, shape: MapShape, raw: Any, path: str) -> dict[str, Any] | None:
        if not isinstance(raw, dict):
            self.fail(path, raw, "Member must be a map (JSON object)")
            return None
        self._size(shape, len(raw), raw, path, "length")
        result: dict[str, Any] = {}
        for key, item in raw.items():
            self._string(shape.key, key, f"{path}.key")
            result[key] = self.value(shape.value, item, f"{path}.{key}")
        return result

    def _string(self, shape: Shape, raw: Any, path: str) -> str | None:
        if not isinstance(raw, str):
            self.fail(path, raw, "Member must be a string")
            return None
        shown: Any = _SENSITIVE if shape.metadata.get("sensitive") else raw
        self._size(shape, len(raw), shown, path, "length")
        enum: list[str] = shape.metadata.get("enum", [])
        if enum and raw not in enum:
            self.fail(path, shown, f"Member must satisfy enum value set: [{', '.join(enum)}]")
        pattern = shape.metadata.get("pattern")
        if pattern:
            regex = compiled_pattern(pattern)
            if regex is not None and regex.search(raw) is None:
                self.fail(path, shown, f"Member must satisfy regular expression pattern: {pattern}")
        return raw

    def _integer(self, shape: Shape, raw: Any, path: str) -> int | None:
        if isinstance(raw, bool) or not isinstance(raw, int):
            self.fail(path, raw, "Member must be an integer")
            return None
        self._size(shape, raw, raw, path, "value")
        return raw

    def _number(self, shape: Shape, raw: Any, path: str) -> float | None:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            self.fail(path, raw, "Member must be a number")
            return None
        self._size(shape, raw, raw, path, "value")
        return float(raw)

    def _timestamp(self, raw: Any, path: str) -> datetime | None:
        if isinstance(raw, datetime):
            return raw if raw.tzinfo else raw.replace(tzinfo=UTC)
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            self.fail(path, raw, "Member must be a timestamp (epoch seconds)")
            return None
        try:
            return datetime.fromtimestamp(raw, tz=UTC)
        except (OverflowError, OSError, ValueError):
            self.fail(path, raw, "Member must be a valid timestamp")
            return None

    def _blob(self, shape: Shape, raw: Any, path: str) -> bytes | None:
        if isinstance(raw, bytes):
            data = raw
        elif isinstance(raw, str):
            try:
                data = base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError):
                self.fail(path, raw, "Member must be base64-encoded")
                return None
        else:
            self.fail(path, raw, "Member must be a blob (base64 string)")
            return None
        self._size(shape, len(data), _SENSITIVE, path, "length")
        return data

    def _size(self, shape: Shape, size: float, shown: Any, path: str, what: str) -> None:
        low = shape.metadata.get("min")
        high = shape.metadata.get("max")
        if low is not None and size < low:
            self.fail(path, shown, f"Member must have {what} greater than or equal to {low}")
        if high is not None and size > high:
            self.fail(path, shown, f"Member must have {what} less than or equal to {high}")


_SENSITIVE = object()


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _show(value: Any) -> str:
    if isinstance(value, str):
        text = value if len(value) <= 80 else value[:77] + "..."
        return f"'{text}'"
    if value is None:
        return "null"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
