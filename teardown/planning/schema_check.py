"""A JSON Schema subset compiled to plain Python predicates: the plan loader's fast path. Pure.

jsonschema takes about 90 s over the 200k actions of a 100k-asset plan (a dispatch per keyword and node, and
``$ref`` resolution through its registry). ``compile_schema`` turns a schema built only of the keywords below
into nested closures answering "valid?" exactly as jsonschema does for them; a schema using any other keyword
compiles to None. The loader trusts a "valid" from here and asks jsonschema itself otherwise, so the schema
file stays the one statement of what a plan is, and jsonschema still names whatever is wrong.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Predicate = Callable[[Any], bool]

# Keywords that assert nothing (jsonschema checks no "format" unless asked to, but none is supported here).
_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples"})
_SUPPORTED = frozenset({
    "type", "const", "enum", "required", "properties", "additionalProperties", "items", "minItems", "maxItems",
    "uniqueItems", "minLength", "maxLength", "pattern", "allOf", "if", "then", "else", "not", "$ref",
})
_TYPES: Mapping[str, Predicate] = {
    "string": lambda x: isinstance(x, str),
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "null": lambda x: x is None,
    "boolean": lambda x: isinstance(x, bool),
    "integer": lambda x: (isinstance(x, int) and not isinstance(x, bool)) or (isinstance(x, float) and x.is_integer()),
    "number": lambda x: isinstance(x, numbers.Number) and not isinstance(x, bool),
}


class _Unsupported(Exception):
    """A schema this module does not compile."""


def compile_schema(schema: Mapping[str, Any]) -> Predicate | None:
    """A predicate equal to ``jsonschema``'s verdict on ``schema``, or None if it uses other keywords."""
    try:
        check = _Compiler(schema).compile(schema)
    except _Unsupported:
        return None
    return check


def _always(_instance: Any) -> bool:
    return True


def _never(_instance: Any) -> bool:
    return False


def _all(predicates: Sequence[Predicate]) -> Predicate:
    if not predicates:
        return _always
    if len(predicates) == 1:
        return predicates[0]

    def every(instance: Any) -> bool:
        for predicate in predicates:  # noqa: SIM110 (a plain loop: all() would make a generator per call)
            if not predicate(instance):
                return False
        return True

    return every


class _Compiler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, Predicate] = {}

    def compile(self, schema: Any) -> Predicate:
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, Mapping) or not _SUPPORTED.union(_ANNOTATIONS).issuperset(schema):
            raise _Unsupported(schema)
        # One type ("string", "array", "object") is checked inside that type's own predicate: fewer calls.
        strict = schema.get("type") if schema.get("type") in ("string", "array", "object") else None
        checks = [None if strict else self._type(schema), self._constant(schema),
                  self._string(schema, strict == "string"), self._array(schema, strict == "array"),
                  self._object(schema, strict == "object"), self._ref(schema), self._combined(schema)]
        return _all([check for check in checks if check is not None])

    def _type(self, schema: Mapping[str, Any]) -> Predicate | None:
        if "type" not in schema:
            return None
        names = [schema["type"]] if isinstance(schema["type"], str) else list(schema["type"])
        if not names or not set(names) <= _TYPES.keys():
            raise _Unsupported(schema["type"])
        tests = [_TYPES[name] for name in names]
        if len(tests) == 1:
            return tests[0]
        return lambda x: any(test(x) for test in tests)

    def _constant(self, schema: Mapping[str, Any]) -> Predicate | None:
        allowed = [*schema.get("enum", ()), *((schema["const"],) if "const" in schema else ())]
        if "enum" in schema and "const" in schema:
            raise _Unsupported("enum with const")
        if "enum" not in schema and "const" not in schema:
            return None
        if all(isinstance(value, str) for value in allowed):
            strings = frozenset(allowed)
            return lambda x: isinstance(x, str) and x in strings
        return lambda x: any(_equal(x, value) for value in allowed)

    def _string(self, schema: Mapping[str, Any], strict: bool) -> Predicate | None:
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        pattern = re.compile(schema["pattern"]).search if "pattern" in schema else None
        if not strict and low == 0 and high is None and pattern is None:
            return None

        if low == 0 and high is None and pattern is None:
            return _TYPES["string"]

        def string(x: Any) -> bool:
            if not isinstance(x, str):
                return not strict
            return len(x) >= low and (high is None or len(x) <= high) and (pattern is None or bool(pattern(x)))

        return string

    def _array(self, schema: Mapping[str, Any], strict: bool) -> Predicate | None:
        if isinstance(schema.get("items", True), list):
            raise _Unsupported("items as a list")
        items = schema.get("items", True)
        strings = items == {"type": "string"}  # the common case, tested in one expression
        item = None if items is True or strings else self.compile(items)
        low, high, unique = schema.get("minItems", 0), schema.get("maxItems"), schema.get("uniqueItems", False)
        if not strict and not strings and item is None and low == 0 and high is None and not unique:
            return None

        def array(x: Any) -> bool:
            if not isinstance(x, list):
                return not strict
            if len(x) < low or (high is not None and len(x) > high):
                return False
            if strings and not all(isinstance(i, str) for i in x):
                return False
            if item is not None and not all(map(item, x)):
                return False
            return not unique or _unique(x)

        return array

    def _object(self, schema: Mapping[str, Any], strict: bool) -> Predicate | None:
        required = tuple(schema.get("required", ()))
        properties = {name: self.compile(sub) for name, sub in schema.get("properties", {}).items()}
        extra = schema.get("additionalProperties", True)
        other = None if extra is True else self.compile(extra)
        if not strict and not required and not properties and other is None:
            return None

        def obj(x: Any) -> bool:
            if not isinstance(x, dict):
                return not strict
            for name in required:
                if name not in x:
                    return False
            for name, value in x.items():
                check = properties.get(name, other)
                if check is not None and not check(value):
                    return False
            return True

        return obj

    def _ref(self, schema: Mapping[str, Any]) -> Predicate | None:
        if "$ref" not in schema:
            return None
        ref = schema["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise _Unsupported(ref)
        if ref not in self.refs:
            cell: list[Predicate] = []
            self.refs[ref] = lambda x: cell[0](x)  # noqa: PLW0108 (late bound: what a schema referring to itself calls)
            cell.append(self.compile(self._resolve(ref)))
            self.refs[ref] = cell[0]
        return self.refs[ref]

    def _resolve(self, ref: str) -> Any:
        node: Any = self.root
        for escaped in ref[1:].split("/")[1:]:
            part = escaped.replace("~1", "/").replace("~0", "~")
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node

    def _combined(self, schema: Mapping[str, Any]) -> Predicate | None:
        checks: list[Predicate] = []
        if "allOf" in schema:
            checks.append(_discriminated(schema["allOf"], self) or _all([self.compile(s) for s in schema["allOf"]]))
        if "not" in schema:
            negated = self.compile(schema["not"])
            checks.append(lambda x: not negated(x))
        if "if" in schema:
            test = self.compile(schema["if"])
            then = self.compile(schema.get("then", True))
            otherwise = self.compile(schema.get("else", True))
            checks.append(lambda x: then(x) if test(x) else otherwise(x))
        return _all(checks) if checks else None


def _discriminated(branches: Any, compiler: _Compiler) -> Predicate | None:
    """``allOf`` of ``{"if": {"properties": {KEY: {"const": "..."}}}, "then": ...}`` items sharing KEY, as one
    lookup of the instance's KEY instead of a test per branch: each ``then`` applies exactly where its ``if``
    holds, which is where KEY is that string, and (as "properties" says nothing of other instances) wherever
    the instance is not an object or has no KEY."""
    if not isinstance(branches, list) or not branches:
        return None
    key: str | None = None
    thens: dict[str, list[Predicate]] = {}
    for branch in branches:
        if not isinstance(branch, Mapping) or set(branch) != {"if", "then"}:
            return None
        test = branch["if"]
        if not isinstance(test, Mapping) or set(test) != {"properties"} or len(test["properties"]) != 1:
            return None
        ((name, condition),) = test["properties"].items()
        if key not in (None, name) or not isinstance(condition, Mapping) or set(condition) != {"const"} \
                or not isinstance(condition["const"], str):
            return None
        key = name
        thens.setdefault(condition["const"], []).append(compiler.compile(branch["then"]))
    every = [then for group in thens.values() for then in group]
    by_value = {value: _all(group) for value, group in thens.items()}

    def dispatch(x: Any) -> bool:
        if not isinstance(x, dict) or key not in x:
            return all(then(x) for then in every)
        value = x[key]
        check = by_value.get(value) if isinstance(value, str) else None
        return check is None or check(x)

    return dispatch


def _equal(one: Any, two: Any) -> bool:
    """jsonschema's equality: a bool equals only a bool, 1 equals 1.0, containers compare member by member."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, dict) and isinstance(two, dict):
        return one.keys() == two.keys() and all(_equal(one[key], two[key]) for key in one)
    if isinstance(one, bool) or isinstance(two, bool):
        return isinstance(one, bool) and isinstance(two, bool) and one == two
    if isinstance(one, list | dict) or isinstance(two, list | dict):
        return False
    return bool(one == two)


def _unique(items: list[Any]) -> bool:
    if all(isinstance(item, str) for item in items):
        return len(set(items)) == len(items)
    return not any(_equal(a, b) for i, a in enumerate(items) for b in items[i + 1:])
