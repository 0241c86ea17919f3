"""The selector flags: one table that the CLI, the Python API, reset files, plan files and their JSON
schemas all read, and ``SelectionSpec``, the selection as given.

Adding a selector means one ``Selector`` row here and one ``SelectionSpec`` field (a test keeps the two in
step); the flag, its help, its JSON key and its schema follow. What it selects is ``select``'s business.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from teardown.errors import BadInputError

EXTERNAL_ID_PREFIX = "externalId:"
# SiteWise ids are UUIDs (36 characters) or "externalId:" and an external id of up to 128 characters.
MAX_ID_LENGTH = len(EXTERNAL_ID_PREFIX) + 128
ValueKind = Literal["switch", "id", "tag", "regex", "prefix"]


@dataclass(frozen=True)
class Selector:
    field: str  # the SelectionSpec attribute, and the key in plan files and reset files
    flag: str
    value: ValueKind
    help: str
    metavar: str | None = None
    protects: bool = False  # guards resources instead of selecting them
    option: bool = False  # changes how the selection is planned instead of selecting anything
    # Where a reset file holds it: (table, key).
    config: tuple[str, str] = ("select", "")

    @property
    def selects(self) -> bool:
        return not (self.protects or self.option)

    @property
    def config_table(self) -> str:
        return self.config[0]

    @property
    def config_key(self) -> str:
        return self.config[1] or self.field


SELECTORS: tuple[Selector, ...] = (
    Selector("all", "--all", "switch",
             "every asset, asset model, Monitor portal and project, gateway and alias-only time series"),
    Selector("subtrees", "--subtree", "id", "the asset and all its descendants (a site decommission)", "ASSET"),
    Selector("asset_models", "--asset-model", "id", "the asset model and all its assets", "MODEL"),
    Selector("tags", "--tag", "tag", "resources with this tag", "KEY=VALUE"),
    Selector("names", "--name", "regex", "assets and models whose name matches", "REGEX"),
    Selector("portals", "--portal", "id",
             "the Monitor portal with its projects, dashboards and access policies (assets are kept)", "PORTAL"),
    Selector("projects", "--project", "id",
             "the Monitor project with its dashboards and access policies (assets are kept)", "PROJECT"),
    Selector("gateways", "--gateway", "id", "the gateway, with its capability configurations", "GATEWAY"),
    Selector("time_series_aliases", "--time-series-alias", "prefix",
             "the time series bound to no asset (alias-only streams) whose alias starts with PREFIX", "PREFIX"),
    Selector("protect", "--protect", "id", "never delete or change this resource", "ID", protects=True,
             config=("protect", "ids")),
    Selector("protect_tags", "--protect-tag", "tag", "never delete or change resources with this tag",
             "KEY=VALUE", protects=True, config=("protect", "tags")),
    Selector("keep_time_series", "--keep-time-series", "switch",
             "keep the data: disassociate every aliased time series of a deleted asset first, so it and its "
             "history survive as an alias-only stream", option=True, config=("plan", "")),
    Selector("allow_data_loss", "--allow-data-loss", "switch",
             "with --keep-time-series: plan even where a series has no alias and so cannot be kept (it is "
             "deleted with its asset, data included)", option=True, config=("plan", "")),
)
BY_FIELD: Mapping[str, Selector] = {s.field: s for s in SELECTORS}


@dataclass(frozen=True)
class SelectionSpec:
    """The selector flags, as given. Ids may be UUIDs or ``externalId:...``; tags are (key, value)."""

    all: bool = False
    subtrees: tuple[str, ...] = ()
    asset_models: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    names: tuple[str, ...] = ()
    portals: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    gateways: tuple[str, ...] = ()
    time_series_aliases: tuple[str, ...] = ()
    protect: tuple[str, ...] = ()
    protect_tags: tuple[tuple[str, str], ...] = ()
    keep_time_series: bool = False
    allow_data_loss: bool = False

    def __post_init__(self) -> None:
        if self.allow_data_loss and not self.keep_time_series:
            raise BadInputError(
                "--allow-data-loss only matters with --keep-time-series: without it, every series bound to a "
                "deleted asset is deleted with it, data included (the plan lists them)")

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, s.field) for s in SELECTORS if s.selects)

    @property
    def subtree_only(self) -> bool:
        """Only subtrees asked for: discovery need not scan the whole account."""
        return bool(self.subtrees) and not any(
            getattr(self, s.field) for s in SELECTORS if s.selects and s.field != "subtrees")

    @property
    def needs_monitor_details(self) -> bool:
        """Monitor resources may be deleted: discovery must list their dashboards and access policies."""
        return bool(self.all or self.portals or self.projects)

    @property
    def needs_gateways(self) -> bool:
        return bool(self.all or self.gateways)

    @property
    def alias_prefixes(self) -> tuple[str, ...]:
        """The prefixes of the alias-only series that may be deleted; ``("",)``: all of them (``--all``)."""
        return ("",) if self.all else self.time_series_aliases

    @property
    def needs_tags(self) -> bool:
        return bool(self.tags or self.protect_tags)

    def to_json(self) -> dict[str, Any]:
        """As the flags are written (tags as KEY=VALUE), keyed by field: plan files store this."""
        out: dict[str, Any] = {}
        for selector in SELECTORS:
            value = getattr(self, selector.field)
            if selector.value == "switch":
                out[selector.field] = bool(value)
            elif selector.value == "tag":
                out[selector.field] = [f"{k}={v}" for k, v in value]
            else:
                out[selector.field] = list(value)
        return out

    def flags(self) -> list[str]:
        """The command-line flags that give this selection, for reviews: ``["--subtree", "X", ...]``."""
        out: list[str] = []
        for selector, values in zip(SELECTORS, self.to_json().values(), strict=True):
            if selector.value == "switch":
                out.extend([selector.flag] if values else [])
            else:
                for value in values:
                    out.extend([selector.flag, value])
        return out

    @classmethod
    def from_flags(cls, **given: Any) -> SelectionSpec:
        """From the flags as a user writes them, keyed by field (tags as KEY=VALUE): the CLI, the API, reset
        files and plan files all come through here, so every selector is validated once."""
        unknown = sorted(set(given) - set(BY_FIELD))
        if unknown:
            raise BadInputError(f"unknown selector(s) {', '.join(unknown)}; known: {', '.join(BY_FIELD)}")
        values: dict[str, Any] = {}
        for name, raw in given.items():
            selector = BY_FIELD[name]
            if selector.value == "switch":
                values[name] = bool(raw)
                continue
            items = (raw,) if isinstance(raw, str) else tuple(raw)
            values[name] = tuple(_parse(selector, item) for item in items)
        return cls(**values)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SelectionSpec:
        return cls.from_flags(**data)


def _parse(selector: Selector, text: Any) -> Any:
    if not isinstance(text, str):
        raise BadInputError(f"{selector.flag} takes text, not {text!r}")
    if selector.value == "tag":
        return parse_tag(text, selector.flag)
    if selector.value == "id":
        return parse_id(text, selector.flag)
    if selector.value == "prefix" and not text:
        raise BadInputError(f"{selector.flag} needs a prefix of at least one character (an empty one would "
                            "name every alias-only series: that is --all's)")
    return text


def parse_id(text: str, flag: str) -> str:
    """A resource id as given: a non-empty string without whitespace (a UUID, or ``externalId:X``)."""
    if not text:
        raise BadInputError(f"{flag} needs an id (a UUID or {EXTERNAL_ID_PREFIX}X), not an empty string")
    if any(c.isspace() for c in text):
        raise BadInputError(f"{flag} {text!r} is not an id: ids contain no whitespace")
    if text == EXTERNAL_ID_PREFIX:
        raise BadInputError(f"{flag} {text!r} names no external id: write {EXTERNAL_ID_PREFIX}X")
    if len(text) > MAX_ID_LENGTH:
        raise BadInputError(
            f"{flag} {text[:24]!r}... is {len(text)} characters long; an id has at most {MAX_ID_LENGTH} "
            f"(a UUID, or {EXTERNAL_ID_PREFIX} and up to 128 characters)"
        )
    return text


def parse_tag(text: str, flag: str = "--tag") -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise BadInputError(f"{flag} {text!r} must be KEY=VALUE")
    return key, value


def _value_schema(selector: Selector, *, min_length: bool) -> dict[str, Any]:
    if selector.value == "switch":
        return {"type": "boolean"}
    item: dict[str, Any] = {"type": "string"}
    if selector.value == "tag":
        item["pattern"] = "^[^=]+=.*$"
    elif min_length:
        item["minLength"] = 1
    return {"type": "array", "items": item}


def plan_selection_schema() -> dict[str, Any]:
    """The JSON schema of a plan file's ``selection``: every selector, keyed by field."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [s.field for s in SELECTORS],
        "properties": {s.field: _value_schema(s, min_length=False) for s in SELECTORS},
    }


def config_schemas() -> dict[str, dict[str, Any]]:
    """The JSON schemas of a reset file's selector tables (``select``, ``protect``), keyed by table."""
    tables: dict[str, dict[str, Any]] = {}
    for selector in SELECTORS:
        table = tables.setdefault(selector.config_table, {"type": "object", "additionalProperties": False,
                                                          "properties": {}})
        table["properties"][selector.config_key] = _value_schema(selector, min_length=True)
    return tables


def from_config(tables: Mapping[str, Mapping[str, Any]]) -> SelectionSpec:
    """A reset file's ``select`` and ``protect`` tables, as a ``SelectionSpec``."""
    given = {s.field: tables[s.config_table][s.config_key] for s in SELECTORS
             if s.config_key in tables.get(s.config_table, {})}
    return SelectionSpec.from_flags(**given)

