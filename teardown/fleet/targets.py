"""The targets file: which accounts and regions a fleet acts in, with what selection, credentials and rates.

TOML, validated against ``targets.schema.json`` (the selector and quota tables filled in from their one
owners, as the reset file's are): ``[defaults]`` holds the ``select``, ``protect``, ``plan`` and ``apply``
tables of the reset file; each ``[[targets]]`` names the ``account`` it must act in (the guard), its
``regions``, how to get credentials (``profile``, or ``role_arn`` with an optional ``external_id``; neither:
the runner's own), and optionally ``endpoint_url``, ``rates`` and ``select`` / ``protect`` tables that replace
the defaults' for that target. Every account-region pair is one target run, numbered in file order from 0.
An error names the line and key at fault; nothing is read from AWS before the whole file is valid.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from teardown.applying.run import DEFAULT_WORKERS
from teardown.aws.pacing import DEFAULT_RATES
from teardown.errors import BadInputError
from teardown.files import read_text
from teardown.inventory.selectors import SelectionSpec, config_schemas, from_config

_MAX_ERRORS = 10


@dataclass(frozen=True)
class TargetRun:
    """One account-region pair of a target: the unit a fleet plans, applies, locks and reports."""

    index: int
    name: str
    account: str
    region: str
    spec: SelectionSpec
    profile: str | None = None
    role_arn: str | None = None
    external_id: str | None = None
    endpoint_url: str | None = None
    rates: Mapping[str, float] | None = None
    workers: int = DEFAULT_WORKERS
    max_deletes: int | None = None

    @property
    def key(self) -> str:
        """Where its files live in the state store: ``NAME/ACCOUNT/REGION``."""
        return f"{self.name}/{self.account}/{self.region}"

    @property
    def label(self) -> str:
        return f"#{self.index} {self.name} {self.account}/{self.region}"


def load_targets(path: str | Path) -> tuple[TargetRun, ...]:
    """Parse and validate a targets file; ``BadInputError`` names each line and key at fault."""
    text = read_text(Path(path), "targets file")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInputError(f"{path}: not valid TOML: {exc}") from None
    errors = sorted(jsonschema.Draft202012Validator(targets_schema()).iter_errors(data),
                    key=lambda e: (_line_of(text, _error_path(e)) or 0, list(map(str, e.absolute_path))))
    if errors:
        lines = [_describe(text, error) for error in errors[:_MAX_ERRORS]]
        more = f"\n  ... and {len(errors) - _MAX_ERRORS} more" if len(errors) > _MAX_ERRORS else ""
        raise BadInputError(f"{path}: invalid targets file:\n  " + "\n  ".join(lines) + more)
    _check_unique(path, data)
    return _runs(data)


def pick(runs: Sequence[TargetRun], index: int | None) -> tuple[TargetRun, ...]:
    """Every run, or the one numbered ``index`` (``--target-index``, ``JOB_COMPLETION_INDEX``)."""
    if index is None:
        return tuple(runs)
    if not 0 <= index < len(runs):
        raise BadInputError(f"target index {index} is out of range: the targets file has {len(runs)} target "
                            f"run(s), numbered 0 to {len(runs) - 1}")
    return (runs[index],)


@cache
def targets_schema() -> dict[str, Any]:
    text = resources.files("teardown.fleet").joinpath("targets.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    selector_tables = config_schemas()
    rates = {"type": "object", "additionalProperties": False,
             "properties": {family: {"type": "number", "exclusiveMinimum": 0} for family in DEFAULT_RATES}}
    defaults = schema["properties"]["defaults"]["properties"]
    defaults.update(selector_tables)
    defaults["apply"]["properties"]["rates"] = rates
    target = schema["properties"]["targets"]["items"]["properties"]
    target.update({table: selector_tables[table] for table in ("select", "protect")})
    target["rates"] = rates
    return schema


def _runs(data: Mapping[str, Any]) -> tuple[TargetRun, ...]:
    defaults = data.get("defaults", {})
    apply_cfg = defaults.get("apply", {})
    runs: list[TargetRun] = []
    for target in data["targets"]:
        tables = {table: target.get(table, defaults.get(table, {})) for table in ("select", "protect")}
        tables["plan"] = defaults.get("plan", {})
        spec = from_config(tables)
        rates = {**apply_cfg.get("rates", {}), **target.get("rates", {})} or None
        for region in target["regions"]:
            runs.append(TargetRun(
                index=len(runs), name=target["name"], account=target["account"], region=region, spec=spec,
                profile=target.get("profile"), role_arn=target.get("role_arn"),
                external_id=target.get("external_id"), endpoint_url=target.get("endpoint_url"), rates=rates,
                workers=apply_cfg.get("workers", DEFAULT_WORKERS), max_deletes=apply_cfg.get("max_deletes"),
            ))
    return tuple(runs)


def _check_unique(path: str | Path, data: Mapping[str, Any]) -> None:
    """Two targets of one name would share their state; one account and region in two targets would race."""
    problems: list[str] = []
    names = Counter(target["name"] for target in data["targets"])
    problems.extend(f"targets[*].name: {name!r} names {n} targets; each target needs a name of its own"
                    for name, n in names.items() if n > 1)
    owners: dict[tuple[str, str], str] = {}
    for target in data["targets"]:
        for region in target["regions"]:
            other = owners.setdefault((target["account"], region), target["name"])
            if other != target["name"]:
                problems.append(f"account {target['account']} in {region} is in two targets ({other!r} and "
                                f"{target['name']!r}); one target run per account and region")
    if problems:
        raise BadInputError(f"{path}: invalid targets file:\n  " + "\n  ".join(problems))


def _error_path(error: jsonschema.ValidationError) -> list[str | int]:
    """Where the error is, down to the key: an unexpected key names itself, a missing one its table."""
    path = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        schema = error.schema if isinstance(error.schema, dict) else {}
        allowed = set(schema.get("properties", {}))
        extra = sorted(set(error.instance) - allowed)
        if extra:
            path.append(extra[0])
    return path


def _describe(text: str, error: jsonschema.ValidationError) -> str:
    path = _error_path(error)
    where = _dotted(list(error.absolute_path)) or "(top)"
    line = _line_of(text, path)
    at = f"line {line}: " if line else ""
    message = error.message
    if error.validator == "not":
        message = "give profile or role_arn, not both"
    elif error.validator == "pattern" and path and path[-1] == "account":
        message = f"{error.instance!r} is not a 12-digit AWS account id"
    elif error.validator == "pattern" and "regions" in path:
        message = f"{error.instance!r} is not an AWS region name (like eu-west-1)"
    return f"{at}{where}: {message}"


def _dotted(path: list[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")


def _line_of(text: str, path: Sequence[str | int]) -> int | None:
    """The line of ``path`` (``["targets", 1, "account"]``) in the TOML text: best effort, for messages only.

    Tracks the current table (``[defaults.select]``, the n-th ``[[targets]]``) and finds the key's line in
    it, or the table's own header when the key is not written there (a missing key)."""
    want_table: list[str] = []
    want_index: int | None = None
    rest = list(path)
    if rest and rest[0] == "targets" and len(rest) > 1 and isinstance(rest[1], int):
        want_index, rest = rest[1], rest[2:]
        want_table = ["targets"]
    keys = [str(p) for p in rest if not isinstance(p, int)]
    seen_targets = -1
    table: list[str] = []
    in_wanted = False
    header_line: int | None = None
    best: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            name = [part.strip().strip("\"'") for part in header.group(2).split(".")]
            if header.group(1) == "[[" and name == ["targets"]:
                seen_targets += 1
            table = name
            in_wanted = _in_table(table, want_table, want_index, seen_targets)
            if in_wanted and header_line is None:
                header_line = number
            if in_wanted and keys and table[len(want_table):] == keys[: len(table) - len(want_table)]:
                best = number
            continue
        if not in_wanted:
            continue
        prefix = table[len(want_table):]
        for depth in range(len(keys), 0, -1):
            inner = keys[len(prefix):depth] if keys[: len(prefix)] == prefix else None
            if inner and re.match(rf"^\s*{re.escape('.'.join(inner))}\s*=", line):
                return number
    return best or header_line


def _in_table(table: list[str], want: list[str], index: int | None, seen: int) -> bool:
    if index is None:
        return True if not want else table[: len(want)] == want
    return table[:1] == ["targets"] and seen == index
