"""A JSON Schema subset compiled to Python source: the plan loader's fast path. Pure.

jsonschema takes about 90 s over the 200k actions of a 100k-asset plan (a dispatch per keyword and node, and
``$ref`` resolution through its registry). ``compile_schema`` turns a schema built only of the keywords below
into generated Python functions answering "valid?" exactly as jsonschema does for them; a schema using any
other keyword compiles to None. The loader trusts a "valid" from here and asks jsonschema itself otherwise, so
the schema file stays the one statement of what a plan is, and jsonschema still names whatever is wrong.

Generated source, not closures: a node's keywords are all conjunctive, so each compiles to inline statements
that ``return False`` on failure, nested objects, array items and ``$ref`` targets included. Only a ``$ref``
inside its own target, ``not`` (but of ``required``), ``if`` and the branches of a discriminated ``allOf``
are calls. An action is then checked in one frame and one call, where a closure per keyword took some twenty
calls (1.4 s at 100k assets).
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
_KNOWN = _SUPPORTED | _ANNOTATIONS
# Each type's test of the value ``{0}``, as jsonschema's default type checker judges it; the exact type first
# (3.11 has an opcode for type(x), isinstance is a call), what json.loads gives.
_TYPES: Mapping[str, str] = {
    "string": "type({0}) is str or isinstance({0}, str)",
    "object": "type({0}) is dict or isinstance({0}, dict)",
    "array": "type({0}) is list or isinstance({0}, list)",
    "null": "{0} is None",
    "boolean": "isinstance({0}, bool)",
    "integer": "(isinstance({0}, int) and not isinstance({0}, bool)) or (isinstance({0}, float) and {0}.is_integer())",
    "number": "isinstance({0}, _Number) and not isinstance({0}, bool)",
}
_MISSING = object()  # the value of an absent property


class _Unsupported(Exception):
    """A schema this module does not compile."""


def compile_schema(schema: Mapping[str, Any]) -> Predicate | None:
    """A predicate equal to ``jsonschema``'s verdict on ``schema``, or None if it uses other keywords."""
    try:
        return _Generator(schema).build()
    except (_Unsupported, SyntaxError, RecursionError):  # other keywords, or nested past what Python compiles
        return None


def _length_tests(schema: Mapping[str, Any], var: str, low: str, high: str) -> list[str]:
    """The tests that fail ``var`` for a length outside the schema's ``low``/``high`` bounds (strings, arrays)."""
    tests = []
    if schema.get(low, 0):
        tests.append(f"len({var}) < {int(schema[low])}")
    if high in schema:
        tests.append(f"len({var}) > {int(schema[high])}")
    return tests

class _Generator:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.namespace: dict[str, Any] = {"_Number": numbers.Number, "_MISSING": _MISSING, "_equal": _equal,
                                          "_unique": _unique, "_one_of": _one_of}
        self.functions: list[str] = []
        self.refs: dict[str, str] = {}
        self.inlining: list[str] = []  # the $refs being inlined, outermost first
        self.tables: list[tuple[str, dict[str, str]]] = []  # dispatch tables: value -> function name
        self.count = 0

    def build(self) -> Predicate:
        entry = self.function([self.root])
        # The source holds only names made here and ints: every value taken from the schema is a constant.
        exec(compile("\n\n".join(self.functions), "<compiled schema>", "exec"), self.namespace)
        for name, table in self.tables:
            self.namespace[name] = {value: self.namespace[function] for value, function in table.items()}
        predicate: Predicate = self.namespace[entry]
        return predicate

    def fresh(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def constant(self, value: Any) -> str:
        name = self.fresh("c")
        self.namespace[name] = value
        return name

    def function(self, schemas: Sequence[Any], name: str | None = None) -> str:
        """The name of a generated function: is its argument valid against every one of ``schemas``?"""
        name = name or self.fresh("f")
        body: list[str] = []
        for schema in schemas:
            self.emit(schema, "x", body, 1)
        self.functions.append(f"def {name}(x):\n" + "".join(line + "\n" for line in body) + "    return True")
        return name

    def emit(self, schema: Any, var: str, out: list[str], depth: int) -> None:
        """Statements (``depth`` levels in) that return False where ``var`` is not valid against ``schema``."""
        pad = "    " * depth
        if schema is True:
            return
        if schema is False:
            out.append(f"{pad}return False")
            return
        if not isinstance(schema, Mapping) or not _KNOWN.issuperset(schema):
            raise _Unsupported(schema)
        known = None
        if "type" in schema:
            names = [schema["type"]] if isinstance(schema["type"], str) else list(schema["type"])
            if not names or not set(names) <= _TYPES.keys():
                raise _Unsupported(schema["type"])
            out.append(f"{pad}if not ({' or '.join(f'({_TYPES[n].format(var)})' for n in names)}):")
            out.append(f"{pad}    return False")
            known = names[0] if len(names) == 1 else None
        self._constant(schema, var, out, pad)
        for keywords, kind in ((self._string, "string"), (self._array, "array"), (self._object, "object")):
            lines: list[str] = []
            keywords(schema, var, lines, depth + (known != kind))
            if lines and known != kind:  # the keywords of a type say nothing of instances of another
                out.append(f"{pad}if {_TYPES[kind].format(var)}:")
            out.extend(lines)
        self._combined(schema, var, out, depth)

    def _constant(self, schema: Mapping[str, Any], var: str, out: list[str], pad: str) -> None:
        if "enum" in schema and "const" in schema:
            raise _Unsupported("enum with const")
        if "enum" not in schema and "const" not in schema:
            return
        allowed = list(schema["enum"]) if "enum" in schema else [schema["const"]]
        if all(isinstance(value, str) for value in allowed):
            test = f"({_TYPES['string'].format(var)}) and {var} in {self.constant(frozenset(allowed))}"
        else:
            test = f"_one_of({var}, {self.constant(tuple(allowed))})"
        out.append(f"{pad}if not ({test}):")
        out.append(f"{pad}    return False")

    def _string(self, schema: Mapping[str, Any], var: str, out: list[str], depth: int) -> None:
        pad = "    " * depth
        tests = _length_tests(schema, var, "minLength", "maxLength")
        if "pattern" in schema:
            tests.append(f"not {self.constant(re.compile(schema['pattern']).search)}({var})")
        if tests:
            out.append(f"{pad}if {' or '.join(tests)}:")
            out.append(f"{pad}    return False")

    def _array(self, schema: Mapping[str, Any], var: str, out: list[str], depth: int) -> None:
        pad = "    " * depth
        items = schema.get("items", True)
        if isinstance(items, list):
            raise _Unsupported("items as a list")
        tests = _length_tests(schema, var, "minItems", "maxItems")
        if tests:
            out.append(f"{pad}if {' or '.join(tests)}:")
            out.append(f"{pad}    return False")
        item = self.fresh("v")
        lines: list[str] = []
        self.emit(items, item, lines, depth + 1)
        if lines:
            out.append(f"{pad}for {item} in {var}:")
            out.extend(lines)
        if schema.get("uniqueItems", False):
            # Items already known to be strings (checked just above) are unique as a set is: no call.
            strings = isinstance(items, Mapping) and items.get("type") == "string"
            test = f"len({var}) > 1 and len(set({var})) != len({var})" if strings else f"not _unique({var})"
            out.append(f"{pad}if {test}:")
            out.append(f"{pad}    return False")

    def _object(self, schema: Mapping[str, Any], var: str, out: list[str], depth: int) -> None:
        pad = "    " * depth
        properties: Mapping[str, Any] = schema.get("properties", {})
        names = self.constant(frozenset(properties))
        extra = schema.get("additionalProperties", True)
        if extra is False:
            out.append(f"{pad}if not {names}.issuperset({var}):")  # no keys view to make
            out.append(f"{pad}    return False")
        if not all(isinstance(name, str) for name in schema.get("required", ())):
            raise _Unsupported(schema["required"])
        required = frozenset(schema.get("required", ()))
        if required:
            out.append(f"{pad}if not {var}.keys() >= {self.constant(required)}:")
            out.append(f"{pad}    return False")
        for name, sub in properties.items():
            value = self.fresh("v")
            lines: list[str] = []
            self.emit(sub, value, lines, depth + (name not in required))
            if lines and name in required:  # present: checked just above
                out.append(f"{pad}{value} = {var}[{self.constant(name)}]")
            elif lines:
                out.append(f"{pad}if {self.constant(name)} in {var}:")
                out.append(f"{pad}    {value} = {var}[{self.constant(name)}]")
            out.extend(lines)
        if extra is not True and extra is not False:
            key, value = self.fresh("k"), self.fresh("v")
            lines = []
            self.emit(extra, value, lines, depth + 2)
            if lines:
                out.append(f"{pad}for {key}, {value} in {var}.items():")
                out.append(f"{pad}    if {key} not in {names}:")
                out.extend(lines)

    def _combined(self, schema: Mapping[str, Any], var: str, out: list[str], depth: int) -> None:
        pad = "    " * depth
        if "$ref" in schema and schema["$ref"] not in self.inlining and schema["$ref"] not in self.refs:
            self.inlining.append(schema["$ref"])  # inline, but a schema that refers to itself calls
            self.emit(self._resolve(self._checked(schema["$ref"])), var, out, depth)
            self.inlining.pop()
        elif "$ref" in schema:
            out.append(f"{pad}if not {self._ref(schema['$ref'])}({var}):")
            out.append(f"{pad}    return False")
        if "allOf" in schema and not self._discriminated(schema["allOf"], var, out, pad):
            for branch in schema["allOf"]:
                self.emit(branch, var, out, depth)
        if "not" in schema and isinstance(schema["not"], Mapping) and set(schema["not"]) == {"required"} \
                and all(isinstance(name, str) for name in schema["not"]["required"]):  # "not required": one test
            present = self.constant(frozenset(schema["not"]["required"]))
            # "required" holds of anything but an object lacking a name: "not" of it, of that object only
            out.append(f"{pad}if not ({_TYPES['object'].format(var)}) or {var}.keys() >= {present}:")
            out.append(f"{pad}    return False")
        elif "not" in schema:
            out.append(f"{pad}if {self.function([schema['not']])}({var}):")
            out.append(f"{pad}    return False")
        if "if" in schema:
            test = self.function([schema["if"]])
            then: list[str] = []
            otherwise: list[str] = []
            self.emit(schema.get("then", True), var, then, depth + 1)
            self.emit(schema.get("else", True), var, otherwise, depth + 1)
            if then or otherwise:
                out.append(f"{pad}if {test}({var}):")
                out.extend(then or [f"{pad}    pass"])
            if otherwise:
                out.append(f"{pad}else:")
                out.extend(otherwise)

    def _ref(self, ref: Any) -> str:
        """The function checking ``ref``'s schema, for a schema referring to itself (any other is inlined)."""
        if self._checked(ref) not in self.refs:
            self.refs[ref] = self.fresh("r")  # named first: what the schema calls inside itself
            self.function([self._resolve(ref)], self.refs[ref])
        return self.refs[ref]

    @staticmethod
    def _checked(ref: Any) -> str:
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise _Unsupported(ref)
        return ref

    def _resolve(self, ref: str) -> Any:
        node: Any = self.root
        for escaped in ref[1:].split("/")[1:]:
            part = escaped.replace("~1", "/").replace("~0", "~")
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node

    def _discriminated(self, branches: Any, var: str, out: list[str], pad: str) -> bool:
        """``allOf`` of ``{"if": {"properties": {KEY: {"const": "..."}}}, "then": ...}`` items sharing KEY, as one
        lookup of the instance's KEY instead of a test per branch: each ``then`` applies exactly where its ``if``
        holds, which is where KEY is that string, and (as "properties" says nothing of other instances)
        wherever the instance is not an object or has no KEY. False (nothing emitted) for any other allOf."""
        if not isinstance(branches, list) or not branches:
            return False
        key: str | None = None
        thens: dict[str, list[Any]] = {}
        for branch in branches:
            if not isinstance(branch, Mapping) or set(branch) != {"if", "then"}:
                return False
            test = branch["if"]
            if not isinstance(test, Mapping) or set(test) != {"properties"} or len(test["properties"]) != 1:
                return False
            ((name, condition),) = test["properties"].items()
            if key not in (None, name) or not isinstance(condition, Mapping) or set(condition) != {"const"} \
                    or not isinstance(condition["const"], str):
                return False
            key = name
            thens.setdefault(condition["const"], []).append(branch["then"])
        table = self.fresh("d")
        self.tables.append((table, {value: self.function(group) for value, group in thens.items()}))
        every = self.function([then for group in thens.values() for then in group])
        found, check = self.fresh("v"), self.fresh("g")
        out.extend([
            f"{pad}if ({_TYPES['object'].format(var)}) and {self.constant(key)} in {var}:",
            f"{pad}    {found} = {var}[{self.constant(key)}]",
            f"{pad}    {check} = {table}.get({found}) if {_TYPES['string'].format(found)} else None",
            f"{pad}    if {check} is not None and not {check}({var}):",
            f"{pad}        return False",
            f"{pad}elif not {every}({var}):",
            f"{pad}    return False",
        ])
        return True


def _one_of(value: Any, allowed: tuple[Any, ...]) -> bool:
    return any(_equal(value, candidate) for candidate in allowed)


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
