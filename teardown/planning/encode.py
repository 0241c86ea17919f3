"""The plan's two JSON texts, fast: the canonical form its digest covers and the indented form of its file.

Each is byte-identical to what ``json.dumps`` writes (``sort_keys=True, separators=(",", ":")`` and
``indent=2``, both ``ensure_ascii=False``; tests hold them to it). Python 3.11's C encoder cannot indent, so
``json.dumps(indent=2)`` runs in pure Python: 5 s and 600 MB of small strings for a 100k-asset plan. Here an
action, the bulk of a plan, is one template, strings are escaped by the C function json itself uses, and the
text comes in chunks (a few thousand actions or fingerprint entries each) to hash or write as it is made.
Anything of an unexpected shape is left to ``json.dumps`` itself, so the bytes never depend on which path ran.
Pure.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Iterable, Iterator, Mapping
from itertools import islice
from json.encoder import encode_basestring as _str  # json.dumps(ensure_ascii=False) escapes strings with it
from typing import Any

from teardown.kinds import KINDS
from teardown.planning.actions import Action

_INDENT = 2
# "\n" and the indentation of a line at each depth (a plan nests 5 deep; deeper lines are made as needed).
_NEWLINE = ["\n" + " " * (_INDENT * depth) for depth in range(8)]
_ACTION_KEYS = frozenset({"id", "kind", "operation", "target", "params", "depends_on", "model_id", "label", "after"})
_ACTION_REQUIRED = frozenset({"id", "kind", "operation", "target", "params", "depends_on"})
_BATCH = 2048  # items per chunk of a long array or object (a few hundred kB of text)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_chunks(
    data: Mapping[str, Any], skip: Collection[str], actions: Iterable[str] | None = None
) -> Iterator[str]:
    """The canonical JSON of ``data`` less the ``skip`` keys, in chunks; ``actions``, when given, are the
    actions' canonical texts (``canonical_action``), standing in for ``data["actions"]``."""
    yield "{"
    first = True
    for key in sorted(data):
        if key in skip:
            continue
        yield ("" if first else ",") + _str(key) + ":"
        first = False
        value = data[key]
        if key == "actions" and (actions is not None or type(value) is list):
            yield from _joined(actions if actions is not None else map(canonical_action_json, value),
                               "[", ",", "]", "[]")
        else:
            yield _canonical(value)
    yield "}"


def _joined(items: Iterable[str], opening: str, separator: str, closing: str, empty: str) -> Iterator[str]:
    """``opening + separator.join(items) + closing`` (``empty`` when there are none), in chunks of a few
    thousand items joined in C: a chunk per item, passed through the generators, cost a third of the work."""
    pending = iter(items)
    first = True
    while batch := list(islice(pending, _BATCH)):
        yield (opening if first else separator) + separator.join(batch)
        first = False
    yield empty if first else closing


def canonical_action(action: Action) -> str:
    """The canonical JSON of ``action.to_json()``, built from the action's fields."""
    try:
        kind, operation = _KIND_TEXT[action.kind]
        return _canonical_action(
            _strings(action.after) if action.after else None, _strings(action.depends_on), _str(action.id), kind,
            _str(action.label) if action.label else None, None if action.model_id is None else _str(action.model_id),
            operation, _canonical_params(action.params), _str(action.target),
        )
    except (TypeError, KeyError):  # a field of an unexpected type: json.dumps decides what it becomes (or refuses)
        return _canonical(action.to_json())


def canonical_action_json(action: Any) -> str:
    """The canonical JSON of one action as a plan file holds it."""
    if type(action) is dict and _ACTION_KEYS.issuperset(action) and _ACTION_REQUIRED.issubset(action):
        try:
            kind, operation = action["kind"], action["operation"]
            return _canonical_action(
                _strings(action["after"]) if "after" in action else None, _strings(action["depends_on"]),
                _str(action["id"]), _NAMED.get(kind) or _str(kind),
                _str(action["label"]) if "label" in action else None,
                _str(action["model_id"]) if "model_id" in action else None,
                _NAMED.get(operation) or _str(operation), _canonical_params(action["params"]),
                _str(action["target"]),
            )
        except TypeError:  # a value that is not a string (or list of them): json.dumps decides
            pass
    return _canonical(action)


def _canonical_action(  # noqa: PLR0917 (positional: called once per action, twice per plan's life)
    after: str | None, depends_on: str, id: str, kind: str, label: str | None, model_id: str | None,
    operation: str, params: str, target: str,
) -> str:
    """The object of these (already encoded) values, keys sorted; None leaves a key out."""
    head = "{" if after is None else f'{{"after":{after},'
    label = "" if label is None else f',"label":{label}'
    model_id = "" if model_id is None else f',"model_id":{model_id}'
    return (f'{head}"depends_on":{depends_on},"id":{id},"kind":{kind}{label}{model_id},"operation":{operation},'
            f'"params":{params},"target":{target}}}')


def _strings(items: Any) -> str:
    """A canonical array of strings; TypeError for anything else."""
    if type(items) is not tuple and type(items) is not list:
        raise TypeError(type(items).__name__)
    if len(items) == 1:
        return f"[{_str(items[0])}]"
    return f'[{",".join(map(_str, items))}]'


def _canonical_params(params: Any) -> str:
    if type(params) is not dict:
        raise TypeError(type(params).__name__)
    if len(params) == 1:
        ((key, value),) = params.items()
        return f"{{{_NAMED.get(key) or _str(key)}:{_str(value) if type(value) is str else _strings(value)}}}"
    return "{" + ",".join([f"{_NAMED.get(k) or _str(k)}:{_str(v) if type(v) is str else _strings(v)}"
                           for k, v in sorted(params.items())]) + "}"


# Each kind's value and operation, encoded once; and the texts of every kind, operation and parameter name,
# which every action repeats (a dict lookup where json's escaping reads each character).
_KIND_TEXT = {kind: (_str(kind.value), _str(spec.operation)) for kind, spec in KINDS.items()}
_NAMED = {name: _str(name) for kind, spec in KINDS.items() for name in (kind.value, spec.operation, *spec.params)}


# ---- the indented file -----------------------------------------------------------------------------------


class Unsupported(Exception):
    """A value ``json.dumps`` would encode in some other way (or refuse): the caller lets it decide."""


def indented_chunks(data: Mapping[str, Any], actions: Iterable[str] | None = None) -> Iterator[str]:
    """``json.dumps(data, indent=2, ensure_ascii=False)`` in chunks, a few thousand actions or entries each;
    ``actions``, when given, are the actions' texts (``indented_action``), standing in for ``data["actions"]``.
    Raises ``Unsupported`` (possibly after some chunks) where ``json.dumps`` would write something else."""
    if not data:
        yield "{}"
        return
    lead = "{" + _NEWLINE[1]
    for key, value in data.items():
        head = lead + _key(key) + ": "
        lead = "," + _NEWLINE[1]
        if key == "actions" and actions is not None:
            yield from _joined(actions, head + "[" + _NEWLINE[2], "," + _NEWLINE[2], _NEWLINE[1] + "]", head + "[]")
        elif type(value) in (dict, list) and len(value) > 1:  # a big one streams, an entry at a time
            opening, closing = ("{", "}") if type(value) is dict else ("[", "]")
            entries = (_key(k) + ": " + _entry(v) for k, v in value.items()) if type(value) is dict else (
                _entry(v) for v in value)
            yield from _joined(entries, head + opening + _NEWLINE[2], "," + _NEWLINE[2], _NEWLINE[1] + closing,
                               head + opening + closing)
        else:
            yield head + _indented(value, 1)
    yield _NEWLINE[0] + "}"


def _entry(value: Any) -> str:
    """``_indented(value, 2)``: an entry of a big member (the fingerprint's 100k), where most are objects of a
    few shapes. An object's keys and layout are one template per shape (its keys in order), its values filled
    in: a third of the work."""
    if type(value) is dict and value:
        keys = tuple(value)
        template = _ENTRY_TEMPLATES.get(keys)
        if template is None and len(_ENTRY_TEMPLATES) < _ENTRY_SHAPES and all(type(k) is str for k in keys):
            template = _ENTRY_TEMPLATES[keys] = "{" + ",".join(
                f"{_NEWLINE[3]}{_str(k).replace('%', '%%')}: %s" for k in keys) + _NEWLINE[2] + "}"
        if template is not None:
            return template % tuple([_str(v) if type(v) is str else "null" if v is None else _indented(v, 3)
                                     for v in value.values()])
    return _indented(value, 2)


_ENTRY_SHAPES = 64  # templates kept, at most: a plan's fingerprint has a dozen shapes
_ENTRY_TEMPLATES: dict[tuple[str, ...], str] = {}


def indented_action(action: Action) -> str:
    """The text of ``action.to_json()`` as an item of the plan's action list (4 spaces in)."""
    try:
        kind, operation = _KIND_TEXT[action.kind]
        model_id = "" if action.model_id is None else f',\n      "model_id": {_str(action.model_id)}'
        label = f',\n      "label": {_str(action.label)}' if action.label else ""
        after = f',\n      "after": {_indented_strings(action.after, 3)}' if action.after else ""
        return (f'{{\n      "id": {_str(action.id)},\n      "kind": {kind},\n      "operation": {operation},'
                f'\n      "target": {_str(action.target)},\n      "params": {_indented_params(action.params)},'
                f'\n      "depends_on": {_indented_strings(action.depends_on, 3)}{model_id}{label}{after}\n    }}')
    except (TypeError, KeyError):  # a field of an unexpected type: the general path decides
        return _indented(action.to_json(), 2)


def _indented_params(params: Any) -> str:
    """An action's params (3 levels in): strings and lists of them; TypeError for anything else."""
    if type(params) is not dict:
        raise TypeError(type(params).__name__)
    if not params:
        return "{}"
    if len(params) == 1:  # most actions: one id, without a list comprehension's frame
        ((key, value),) = params.items()
        text = _str(value) if type(value) is str else _indented_strings(value, 4)
        return f"{{\n        {_str(key)}: {text}\n      }}"
    return "{\n        " + ",\n        ".join([
        f"{_str(k)}: {_str(v) if type(v) is str else _indented_strings(v, 4)}" for k, v in params.items()
    ]) + "\n      }"


def _indented_strings(items: Any, depth: int) -> str:
    """An indented array of strings whose first line is ``depth`` (< 7) levels in; TypeError for anything else."""
    if type(items) is not tuple and type(items) is not list:
        raise TypeError(type(items).__name__)
    if not items:
        return "[]"
    inner, outer = _NEWLINE[depth + 1], _NEWLINE[depth]  # an action's lists are 3 or 4 levels in
    if len(items) == 1:
        return f"[{inner}{_str(items[0])}{outer}]"
    return f"[{inner}{(',' + inner).join(map(_str, items))}{outer}]"


def _newline(depth: int) -> str:
    return _NEWLINE[depth] if depth < len(_NEWLINE) else "\n" + " " * (_INDENT * depth)


def _indented(value: Any, depth: int) -> str:
    """json's indented text of ``value`` whose first line is ``depth`` levels in. The checks follow json's own
    order where types can overlap (a str subclass is a string, a bool is not an int); lists and dicts come
    early, as no type can be both one of them and a str, a number or None (their layouts conflict)."""
    if isinstance(value, str):
        return _str(value)
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = _newline(depth + 1)
        try:
            body = ("," + inner).join(map(_str, value))
        except TypeError:  # not all strings
            body = ("," + inner).join([_indented(item, depth + 1) for item in value])
        return "[" + inner + body + _newline(depth) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = _newline(depth + 1)
        return "{" + inner + ("," + inner).join([  # strings and nulls inline: most keys and values are
            f"{_str(k) if type(k) is str else _key(k)}: "
            f"{_str(v) if type(v) is str else 'null' if v is None else _indented(v, depth + 1)}"
            for k, v in value.items()]) + _newline(depth) + "}"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    raise Unsupported(type(value).__name__)


def _float(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def _key(key: Any) -> str:
    """A dict key as json writes it: strings as they are, the scalars json converts, nothing else."""
    if isinstance(key, str):
        return _str(key)
    if isinstance(key, float):
        return _str(_float(key))
    if key is True or key is False or key is None:
        return _str(json.dumps(key))
    if isinstance(key, int):
        return _str(int.__repr__(key))
    raise Unsupported(type(key).__name__)
