"""The plan: a deterministic, reviewable, versioned file. This module alone reads and writes it.

The digest is a SHA-256 over the canonical JSON of everything but ``created_at`` and ``digest`` itself,
so the same world and flags give the same digest, and any edit to the content is detected. (It detects
tampering and corruption, not a forger who recomputes it: guard the file as you guard the pull request.)
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import networkx as nx

from teardown._version import __version__
from teardown.errors import PlanFileError
from teardown.files import write_text_atomic
from teardown.inventory.selectors import SelectionSpec, plan_selection_schema
from teardown.kinds import KINDS, ActionKind
from teardown.planning.actions import Action
from teardown.planning.encode import (
    Unsupported,
    canonical_action,
    canonical_action_json,
    canonical_chunks,
    indented_action,
    indented_chunks,
)
from teardown.planning.graph import ORDER_ONLY
from teardown.planning.schema_check import Predicate, compile_schema

FORMAT_VERSION = 1
DEFAULT_DIR = Path("plans")
_UNDIGESTED = ("created_at", "digest")


@dataclass(frozen=True)
class Plan:
    format_version: int
    tool_version: str
    created_at: str
    account: str
    region: str
    endpoint: str | None
    selection: Mapping[str, Any]
    fingerprint: Mapping[str, Mapping[str, Any]]
    actions: tuple[Action, ...]
    summary: Mapping[str, Any]
    digest: str = field(default="")

    def action_graph(self) -> nx.DiGraph:
        """Nodes are action ids (attribute ``action``); an edge u -> v means u must finish before v, and
        carries ``ORDER_ONLY`` when v only waits for u to end (see ``Action.after``)."""
        graph = nx.DiGraph()
        for action in self.actions:
            graph.add_node(action.id, action=action)
        for action in self.actions:
            for before in action.depends_on:
                graph.add_edge(before, action.id)
            for before in action.after:
                graph.add_edge(before, action.id, **{ORDER_ONLY: True})
        return graph

    @property
    def spec(self) -> SelectionSpec:
        return SelectionSpec.from_json(self.selection)

    @property
    def is_empty(self) -> bool:
        return not self.actions

    def count(self, *kinds: ActionKind) -> int:
        return sum(1 for a in self.actions if a.kind in kinds)

    def targets(self, *kinds: ActionKind) -> frozenset[str]:
        """The ids the actions of these kinds act on."""
        return frozenset(a.target for a in self.actions if a.kind in kinds)

    def to_json(self) -> dict[str, Any]:
        return self._to_json([a.to_json() for a in self.actions])

    def _to_json(self, actions: list[dict[str, Any]] | None) -> dict[str, Any]:
        """The plan file's object; ``actions`` None where the caller encodes the actions itself, and then only
        reads it: a fingerprint that is already a dict of dicts goes in as it is (copying its 100k entries, twice
        per plan, cost half a second)."""
        fingerprint = self.fingerprint
        if actions is not None or type(fingerprint) is not dict or not all(
                type(entry) is dict for entry in fingerprint.values()):
            fingerprint = {k: dict(v) for k, v in fingerprint.items()}
        return {
            "format_version": self.format_version,
            "tool_version": self.tool_version,
            "created_at": self.created_at,
            "account": self.account,
            "region": self.region,
            "endpoint": self.endpoint,
            "selection": dict(self.selection),
            "fingerprint": fingerprint,
            "actions": actions,
            "summary": dict(self.summary),
            "digest": self.digest,
        }


def compute_digest(data: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces) of ``data`` less ``created_at`` and ``digest``."""
    return _sha256(canonical_chunks(data, _UNDIGESTED))


def _sha256(chunks: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:  # a long array comes a few thousand items to a chunk
        digest.update(chunk.encode())
    return "sha256:" + digest.hexdigest()


def seal(plan: Plan) -> Plan:
    """The plan with its digest filled in (the digest ``compute_digest`` gives its JSON, made from the actions
    directly)."""
    digest = _sha256(canonical_chunks(plan._to_json(None), _UNDIGESTED, map(canonical_action, plan.actions)))
    return replace(plan, digest=digest)


def default_path(plan: Plan, directory: Path = DEFAULT_DIR) -> Path:
    stamp = plan.created_at.replace(":", "").replace("-", "").split("+")[0]
    return directory / f"{stamp}-{plan.digest.removeprefix('sha256:')[:12]}.plan.json"


def write_plan(plan: Plan, path: str | Path | None = None) -> Path:
    """Write the plan file (atomically: a reader never sees half a plan); ``BadInputError`` says why it could
    not be written."""
    target = Path(path) if path is not None else default_path(plan)
    try:
        write_text_atomic(target, _file_chunks(plan), "plan")
    except Unsupported:  # a value json writes in its own way (or refuses): json decides
        write_text_atomic(target, json.dumps(plan.to_json(), indent=2, ensure_ascii=False) + "\n", "plan")
    return target


def _file_chunks(plan: Plan) -> Iterator[str]:
    """The plan file's text, ``json.dumps(plan.to_json(), indent=2, ensure_ascii=False)`` and a newline."""
    yield from indented_chunks(plan._to_json(None), map(indented_action, plan.actions))
    yield "\n"


@contextmanager
def gc_paused() -> Iterator[None]:
    """Planning and loading a plan allocate millions of small acyclic objects at 100k assets; the cyclic
    collector's repeated full passes over them cost more than the work itself. Neither builds cycles.

    What the pause leaves alive is the plan, long-lived: it goes straight to the oldest generation (freeze, then
    unfreeze, both O(1)), where only the rare full collections look at it. Otherwise the young collections
    right after would each traverse its million objects on their way there (0.2 s apiece at 100k assets).
    Where objects are frozen already (an apply holding its heap, ``teardown.applying.heap``), the plan joins
    them: an unfreeze here would thaw theirs too."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            held = gc.get_freeze_count() > 0
            gc.freeze()
            if not held:
                gc.unfreeze()
            gc.enable()


@cache
def schema() -> dict[str, Any]:
    """The plan file's JSON Schema: the shipped file, with the selection part filled in from the selector
    table (its one owner)."""
    text = resources.files("teardown.planning").joinpath("planfile.schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    loaded["$defs"]["selection"] = plan_selection_schema()
    loaded["$defs"]["per_kind"] = _per_kind_schema()
    return loaded


@cache
def _schema_check() -> Predicate | None:
    """The schema compiled to a predicate with jsonschema's verdict (a 100k-asset plan in a second, not 90)."""
    return compile_schema(schema())


def _per_kind_schema() -> dict[str, Any]:
    """Each kind's action: its one operation, exactly its parameters, and a model id on asset deletes only."""
    rules = []
    for kind, spec in KINDS.items():
        then: dict[str, Any] = {"properties": {"operation": {"const": spec.operation}, "params": spec.param_schema()}}
        if kind is ActionKind.DELETE_ASSET:
            then["required"] = ["model_id"]
        else:
            then["not"] = {"required": ["model_id"]}
        rules.append({"if": {"properties": {"kind": {"const": kind.value}}}, "then": then})
    return {"allOf": rules}


def parse_plan(data: Any, *, source: str = "plan") -> Plan:
    """Validate and rebuild a plan from its JSON form; ``PlanFileError`` names what is wrong."""
    return _parse(data, source, owned=False)


def _parse(data: Any, source: str, *, owned: bool) -> Plan:
    """``parse_plan``; ``owned``: ``data`` is the caller's to give up (freshly parsed, held by no one else), and
    each action's dict is let go as its Action is made, so the document and the actions are never both whole."""
    if not isinstance(data, dict):
        raise PlanFileError(f"{source}: not a plan file (expected a JSON object)")
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise PlanFileError(
            f"{source}: unknown plan format version {version!r}; "
            f"this tool ({__version__}) reads version {FORMAT_VERSION}"
        )
    valid = _schema_check()
    if valid is None or not valid(data):  # jsonschema decides, and names what is wrong
        try:
            jsonschema.validate(data, schema())
        except jsonschema.ValidationError as exc:
            where = "/".join(str(p) for p in exc.absolute_path) or "(top)"
            raise PlanFileError(f"{source}: malformed plan at {where}: {exc.message}") from None
    if owned:
        adopted: list[Action] = []
        expected = _sha256(canonical_chunks(data, _UNDIGESTED, _adopting(data["actions"], adopted)))
    else:
        expected = compute_digest(data)
    if data["digest"] != expected:
        raise PlanFileError(f"{source}: digest mismatch: the plan was edited or corrupted after it was made")
    actions = tuple(adopted) if owned else tuple(map(Action.from_json, data["actions"]))
    _check_actions(actions, source)
    return Plan(
        format_version=version, tool_version=data["tool_version"], created_at=data["created_at"],
        account=data["account"], region=data["region"], endpoint=data["endpoint"],
        selection=data["selection"], fingerprint=data["fingerprint"], actions=actions,
        summary=data["summary"], digest=data["digest"],
    )


def _adopting(items: list[Any], into: list[Action]) -> Iterator[str]:
    """Each action's canonical text (for the digest) as its dict becomes an Action, appended to ``into``, and
    leaves ``items``: at 100k assets the 200k dicts are most of the document, and they go as the actions come."""
    adopt = Action.adopt_json
    for index, item in enumerate(items):
        items[index] = None
        yield canonical_action_json(item)
        into.append(adopt(item))


_TARGET_PARAM = {kind: spec.target_param for kind, spec in KINDS.items()}


def _check_actions(actions: tuple[Action, ...], source: str) -> None:
    ids = [a.id for a in actions]
    if len(set(ids)) != len(ids):
        raise PlanFileError(f"{source}: duplicate action ids")
    seen: set[str] = set()
    target_param = _TARGET_PARAM
    for action in actions:
        named = action.params[target_param[action.kind]]
        if action.target != named:
            raise PlanFileError(f"{source}: action {action.id} targets {action.target} but its request names {named}")
        # Set tests in C first; the missing one is looked for only in a plan that has one.
        if not seen.issuperset(action.depends_on) or not seen.issuperset(action.after):
            missing = [d for d in (*action.depends_on, *action.after) if d not in seen]
            raise PlanFileError(
                f"{source}: action {action.id} depends on {missing[0]}, which does not come before it"
            )
        seen.add(action.id)


def load_plan(path: str | Path) -> Plan:
    with gc_paused():
        return _load_plan(path)


def _load_plan(path: str | Path) -> Plan:
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanFileError(f"{source}: no such plan file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanFileError(f"{source}: cannot read plan: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFileError(f"{source}: not valid JSON: {exc}") from None
    del text  # 90 MB at 100k assets: not kept while the actions are made
    return _parse(data, source, owned=True)
