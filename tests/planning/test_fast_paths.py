"""The fast paths of planning give exactly what the general ones give: plan texts byte-identical to json.dumps,
the compiled schema the verdict of jsonschema, the plan order the one networkx gives."""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from teardown.inventory.select import select
from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import ActionKind
from teardown.planning.actions import Action
from teardown.planning.encode import _BATCH, canonical_action, canonical_action_json, indented_chunks
from teardown.planning.graph import build_edges, build_graph, ordered_actions, plan_order
from teardown.planning.make import make_plan
from teardown.planning.planfile import Plan, compute_digest, load_plan, schema, seal, write_plan
from teardown.planning.schema_check import compile_schema
from tests.support.inventories import InventoryBuilder, windfarm

_TEXT = st.text(st.characters(codec="utf-8"), max_size=12)  # control characters, quotes, astral planes
_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | _TEXT
_JSON = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
                     max_leaves=20)
# NaN is unequal to itself, where jsonschema's uniqueItems then depends on object identity: left out of verdicts.
_PLAIN_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _TEXT
_PLAIN_JSON = st.recursive(
    _PLAIN_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=20)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@st.composite
def _actions(draw: st.DrawFn) -> Action:
    ids = st.lists(_TEXT, max_size=3, unique=True).map(tuple)
    params = st.dictionaries(_TEXT, _TEXT | st.lists(_TEXT, max_size=3), max_size=3)
    return Action(
        id=draw(_TEXT), kind=draw(st.sampled_from(ActionKind)), target=draw(_TEXT),
        params=draw(params | st.dictionaries(_TEXT, _JSON, max_size=2)), depends_on=draw(ids),
        model_id=draw(st.none() | _TEXT), label=draw(_TEXT), after=draw(ids),
    )


def _plan(actions: tuple[Action, ...], extra: Any = None) -> Plan:
    return Plan(format_version=1, tool_version="0", created_at="2026-01-01T00:00:00+00:00", account="123456789012",
                region="us-east-1", endpoint=None, selection={"all": True}, fingerprint={"a": {"kind": "asset"}},
                actions=actions, summary={"extra": extra})


@settings(max_examples=150, deadline=None)
@given(st.lists(_actions(), max_size=4).map(tuple), _JSON)
def test_plan_texts_are_json_dumps_byte_for_byte(tmp_path_factory: pytest.TempPathFactory,
                                                 actions: tuple[Action, ...], extra: Any) -> None:
    """Any actions (odd characters and odd params included) and any JSON in the summary: the file is
    json.dumps(indent=2) and the digest the SHA-256 of json.dumps's canonical text, on both paths."""
    plan = seal(_plan(actions, extra))
    data = plan.to_json()
    assert plan.digest == compute_digest(data)
    assert [canonical_action(a) for a in actions] == [_canonical(a.to_json()) for a in actions]
    assert [canonical_action_json(a) for a in data["actions"]] == [_canonical(a) for a in data["actions"]]
    path = write_plan(plan, tmp_path_factory.mktemp("plan") / "p.plan.json")
    assert path.read_text(encoding="utf-8") == json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("count", [0, 1, _BATCH - 1, _BATCH, _BATCH + 1, 2 * _BATCH + 3])
def test_long_arrays_and_objects_across_chunks_are_json_dumps(tmp_path: Path, count: int) -> None:
    """Actions and fingerprint entries come a few thousand to a chunk: at and around the chunk size, the file
    and the digest are still json.dumps's texts."""
    actions = tuple(Action(f"delete-asset/a-{i}", ActionKind.DELETE_ASSET, f"a-{i}", {"assetId": f"a-{i}"},
                           (f"x-{i}",) * (i % 2), "m", f"delete asset 'a-{i}'") for i in range(count))
    plan = seal(dataclasses.replace(_plan(actions, ["s"] * count), fingerprint={
        f"a-{i}": {"kind": "asset", "children": [f"c-{i}"] * (i % 3)} for i in range(count)}))
    data = plan.to_json()
    digest = "sha256:" + hashlib.sha256(_canonical({k: v for k, v in data.items()
                                                    if k not in ("created_at", "digest")}).encode()).hexdigest()
    assert plan.digest == compute_digest(data) == digest
    path = write_plan(plan, tmp_path / "p.plan.json")
    assert path.read_text(encoding="utf-8") == json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def test_entries_of_a_big_member_written_by_their_shape_are_json_dumps() -> None:
    """A big member's object entries are written by a template per shape: keys holding %, values of every
    kind, a shape seen twice, non-string keys and empty objects all come out as json.dumps writes them."""
    shape = {"k%s": "v%", "%%": None, "l": ["x", "y"], "n": 1.5, "d": {"z": [], "%d": 0}, "t": True}
    data = {"fingerprint": {"a": shape, "b": {**shape, "k%s": "w", "l": []}, "c": {1: "int key", "2": 2.0},
                            "e": {}, "f": [], "g": "s", "h": {"k%s": "another shape"}}}
    assert "".join(indented_chunks(data)) == json.dumps(data, indent=2, ensure_ascii=False)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_TEXT, _JSON, max_size=5))
def test_indented_text_of_any_json_object_is_json_dumps(data: dict[str, Any]) -> None:
    """The general indented path, streaming big members entry by entry, writes what json.dumps writes."""
    assert "".join(indented_chunks(data)) == json.dumps(data, indent=2, ensure_ascii=False)


def test_a_value_json_refuses_is_still_refused_and_leaves_no_file(tmp_path: Path) -> None:
    """A summary holding a set: json.dumps's own TypeError, and no plan or temporary file is left."""
    write_plan(seal(_plan((), [1])), tmp_path / "ok.plan.json")
    with pytest.raises(TypeError, match="set is not JSON serializable"):
        write_plan(_plan((), {1, 2}), tmp_path / "p.plan.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.plan.json"]


def test_action_constructor_has_the_dataclass_signature() -> None:
    """Action's hand-written __init__ takes exactly its fields, in order, with their defaults."""
    parameters = list(inspect.signature(Action).parameters.values())
    fields = dataclasses.fields(Action)
    assert [p.name for p in parameters] == [f.name for f in fields]
    assert [p.default for p in parameters] == [
        inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default for f in fields]
    action = Action("x", ActionKind.DELETE_ASSET, "t", {"assetId": "t"}, ("a",), "m", "l", ("b",))
    assert dataclasses.astuple(action) == ("x", ActionKind.DELETE_ASSET, "t", {"assetId": "t"}, ("a",), "m", "l",
                                           ("b",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        action.id = "y"  # type: ignore[misc]  # the point: frozen


@pytest.mark.parametrize("spec", [SelectionSpec(all=True), SelectionSpec(subtrees=("a-site-1",)),
                                  SelectionSpec(portals=("portal-1",))])
def test_plan_order_is_networkx_lexicographical_topological_order(spec: SelectionSpec) -> None:
    """The plain-dict graph orders actions exactly as networkx does on the same graph, with the same edges."""
    inventory = windfarm()
    graph = build_graph(inventory, select(inventory, spec))
    key = {node: (a.kind.spec.rank, a.label, node) for node, a in graph.nodes(data="action")}
    expected = list(nx.lexicographical_topological_sort(graph, key=key.__getitem__))
    ordered = plan_order(inventory, select(inventory, spec))
    assert [a.id for a in ordered] == expected
    assert ordered == ordered_actions(graph)
    for action in ordered:
        assert set(action.depends_on) | set(action.after) == set(graph.predecessors(action.id))


def test_plan_order_with_edges_against_the_tie_break_is_still_networkx_order() -> None:
    """Model "zulu" composes "alpha" and "mike", so its delete goes first though its label sorts last: edges
    that go backward in the tie-break numbering take the heap, and give networkx's order all the same."""
    builder = InventoryBuilder().model("m-alpha").model("m-mike").model("m-zulu", components=["m-alpha", "m-mike"])
    inventory = builder.asset("a-1", "m-zulu").asset("a-2", "m-alpha").inventory
    selection = select(inventory, SelectionSpec(all=True))
    assert not build_edges(inventory, selection).forward  # the heap's path, not the numbering's
    graph = build_graph(inventory, selection)
    key = {node: (a.kind.spec.rank, a.label, node) for node, a in graph.nodes(data="action")}
    expected = list(nx.lexicographical_topological_sort(graph, key=key.__getitem__))
    ordered = plan_order(inventory, selection)
    assert [a.id for a in ordered] == expected
    assert expected.index("delete-model/m-zulu") < expected.index("delete-model/m-alpha")
    assert ordered == ordered_actions(graph)


# ---- the compiled schema --------------------------------------------------------------------------------


def _plan_document() -> dict[str, Any]:
    plan, _ = make_plan(windfarm(), SelectionSpec(all=True), created_at=datetime(2026, 1, 1, tzinfo=UTC))
    return plan.to_json()


_DOCUMENT = _plan_document()


@st.composite
def _mutated(draw: st.DrawFn) -> dict[str, Any]:
    """The plan document with a few random edits: a value replaced, a key dropped or added, anywhere."""
    document: dict[str, Any] = json.loads(json.dumps(_DOCUMENT))
    for _ in range(draw(st.integers(1, 3))):
        node: Any = document
        while isinstance(node, dict | list) and node and draw(st.booleans()):
            child = node[draw(st.sampled_from(sorted(node)))] if isinstance(node, dict) else node[
                draw(st.integers(0, len(node) - 1))]
            if not isinstance(child, dict | list):
                break
            node = child
        if isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node)))
            edit = draw(st.sampled_from(["replace", "drop", "add"]))
            if edit == "replace":
                node[key] = draw(_PLAIN_JSON | st.sampled_from([*(k.value for k in ActionKind), "", "x" * 140, "a b"]))
            elif edit == "drop":
                del node[key]
            else:
                node[draw(_TEXT)] = draw(_PLAIN_JSON)
        elif isinstance(node, list) and node:
            node[draw(st.integers(0, len(node) - 1))] = draw(_PLAIN_JSON)
    return document


_VALID = compile_schema(schema())
_JSONSCHEMA = jsonschema.Draft202012Validator(schema())


@settings(max_examples=300, deadline=None)
@given(_mutated())
def test_compiled_plan_schema_gives_jsonschemas_verdict(document: dict[str, Any]) -> None:
    """Random edits anywhere in a plan: the compiled schema accepts exactly what jsonschema accepts."""
    assert _VALID is not None
    assert _VALID(document) == _JSONSCHEMA.is_valid(document)


_SMALL_SCHEMAS: list[dict[str, Any]] = [
    {"type": "integer"}, {"type": ["string", "null"]}, {"const": 1}, {"enum": [True, "a", None]},
    {"properties": {"a": {"type": "string"}}, "required": ["b"]}, {"additionalProperties": {"type": "number"}},
    {"items": {"minLength": 2}, "minItems": 1, "maxItems": 2, "uniqueItems": True},
    {"not": {"required": ["a"]}}, {"enum": [[1, {"a": None}], 2.0]}, {"items": {"type": "array"}, "uniqueItems": True},
    {"if": {"properties": {"k": {"const": "x"}}}, "then": {"required": ["x"]}},
    {"allOf": [{"if": {"properties": {"k": {"const": "x"}}}, "then": {"required": ["x"]}},
               {"if": {"properties": {"k": {"const": "y"}}}, "then": False}]},
    {"pattern": "^\\S+$", "maxLength": 3},
    # a $ref used twice (inlined each time) and one that refers to itself (a function calling itself)
    {"properties": {"a": {"$ref": "#/$defs/s"}, "b": {"$ref": "#/$defs/s"}}, "$defs": {"s": {"minLength": 2}}},
    {"$defs": {"n": {"type": "array", "items": {"$ref": "#/$defs/n"}}}, "$ref": "#/$defs/n"},
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_SMALL_SCHEMAS),
       _PLAIN_JSON | st.dictionaries(st.sampled_from(["a", "b", "k", "x"]), _PLAIN_JSON))
def test_each_compiled_keyword_gives_jsonschemas_verdict(rule: dict[str, Any], instance: Any) -> None:
    """Keyword by keyword, on any JSON (a keyword says nothing of instances of other types; 1 is 1.0, not True)."""
    valid = compile_schema(rule)
    assert valid is not None
    assert valid(instance) == jsonschema.Draft202012Validator(rule).is_valid(instance)


def test_a_schema_with_other_keywords_is_left_to_jsonschema() -> None:
    """Keywords the compiler does not know make it decline: the loader then uses jsonschema alone."""
    assert compile_schema({"properties": {"a": {"minimum": 3}}}) is None
    assert compile_schema({"$ref": "https://example.com/other.json"}) is None


def test_a_loaded_plan_is_the_written_plan(tmp_path: Path) -> None:
    """Write then load, through the fast paths: the same plan, and a file json.loads reads as its JSON."""
    plan, _ = make_plan(windfarm(), SelectionSpec(all=True))
    path = write_plan(plan, tmp_path / "p.plan.json")
    assert load_plan(path) == plan
    assert json.loads(path.read_text(encoding="utf-8")) == plan.to_json()
