"""The archive file: one owner of its format, its two schemas and its digest.

An archive is one JSON object. Its ``assetModels`` and ``assets`` are shaped as the SiteWise metadata transfer
job schema expects (``bulk.schema.json``), so AWS's own bulk import can re-create the models and assets from
it once the extension is dropped (that schema allows no other top-level key). Everything that schema cannot
carry lives in the one ``x-sitewise-teardown`` section (``extension.schema.json``): where the archive came
from, its digest, interfaces, links to kept parents, project links, Monitor resources, gateways and kept
time series.

The digest is a SHA-256 over the canonical JSON of the whole document except the section's ``created_at``
and ``digest``: an archive edited after it was written is refused (``ArchiveError``, exit 2).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from teardown.errors import BadInputError
from teardown.files import read_text, write_text_atomic

EXTENSION = "x-sitewise-teardown"
ARCHIVE_FORMAT = 1
_UNDIGESTED = ("created_at", "digest")
# The extension's lists, in the order a reader meets them; every one is present, possibly empty.
EXTENSION_LISTS = ("interfaceModels", "interfaceLinks", "keptParents", "projectLinks", "portals", "projects",
                   "dashboards", "accessPolicies", "gateways", "keptTimeSeries", "missing")


class ArchiveError(BadInputError):
    """An archive file is malformed, of an unknown format, or does not match its digest (exit 2)."""


@cache
def bulk_schema() -> dict[str, Any]:
    """The SiteWise metadata transfer job schema the archive's bulk part validates against."""
    return _schema("bulk.schema.json")


@cache
def extension_schema() -> dict[str, Any]:
    """The schema of the ``x-sitewise-teardown`` section."""
    return _schema("extension.schema.json")


def _schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(resources.files("teardown.archive").joinpath(name).read_text("utf-8"))
    return loaded


@dataclass(frozen=True)
class Archive:
    """A sealed archive: ``data`` is the whole document as written."""

    data: Mapping[str, Any]

    @property
    def extension(self) -> Mapping[str, Any]:
        section: Mapping[str, Any] = self.data[EXTENSION]
        return section

    @property
    def digest(self) -> str:
        return str(self.extension["digest"])

    @property
    def account(self) -> str:
        return str(self.extension["account"])

    @property
    def region(self) -> str:
        return str(self.extension["region"])

    @property
    def models(self) -> list[Mapping[str, Any]]:
        """Every archived model: the bulk part's, then the interfaces of the extension."""
        return [*self.data.get("assetModels", []), *self.extension["interfaceModels"]]

    @property
    def assets(self) -> list[Mapping[str, Any]]:
        return list(self.data.get("assets", []))

    def section(self, name: str) -> list[Mapping[str, Any]]:
        return list(self.extension[name])

    def bulk(self) -> dict[str, Any]:
        """The part AWS's bulk import reads: ``assetModels`` and ``assets`` only."""
        return {k: v for k, v in self.data.items() if k != EXTENSION}


def _canonical(data: Mapping[str, Any]) -> bytes:
    section = {k: v for k, v in data[EXTENSION].items() if k not in _UNDIGESTED}
    return json.dumps({**data, EXTENSION: section}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def compute_digest(data: Mapping[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(_canonical(data)).hexdigest()


def seal(data: Mapping[str, Any]) -> Archive:
    """The document with its digest filled in."""
    unsealed = {**data, EXTENSION: {**data[EXTENSION], "digest": "sha256:" + "0" * 64}}
    sealed = {**unsealed, EXTENSION: {**unsealed[EXTENSION], "digest": compute_digest(unsealed)}}
    return Archive(sealed)


def validate(data: Any, *, source: str = "archive") -> None:
    """Both parts against their schemas; ``ArchiveError`` names where it is wrong."""
    if not isinstance(data, dict) or not isinstance(data.get(EXTENSION), dict):
        raise ArchiveError(f"{source}: not a sitewise-teardown archive (no {EXTENSION} section)")
    version = data[EXTENSION].get("format")
    if version != ARCHIVE_FORMAT:
        raise ArchiveError(f"{source}: unknown archive format {version!r}; this tool reads format {ARCHIVE_FORMAT}")
    bulk = {k: v for k, v in data.items() if k != EXTENSION}
    for part, schema, prefix in ((bulk, bulk_schema(), ""), (data[EXTENSION], extension_schema(), EXTENSION)):
        try:
            jsonschema.validate(part, schema)
        except jsonschema.ValidationError as exc:
            where = "/".join(str(p) for p in (prefix, *exc.absolute_path) if p != "") or "(top)"
            raise ArchiveError(f"{source}: malformed archive at {where}: {exc.message}") from None


def parse_archive(data: Any, *, source: str = "archive") -> Archive:
    """Validate an archive's JSON form and check its digest."""
    validate(data, source=source)
    if data[EXTENSION]["digest"] != compute_digest(data):
        raise ArchiveError(f"{source}: digest mismatch: the archive was edited or corrupted after it was written")
    return Archive(data)


def load_archive(path: Path) -> Archive:
    text = read_text(path, "archive")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ArchiveError(f"{path}: not valid JSON: {exc}") from None
    return parse_archive(data, source=str(path))


def write_archive(archive: Archive, path: Path) -> Path:
    """Write atomically (a reader never sees half an archive); ``BadInputError`` says why it cannot be."""
    validate(dict(archive.data), source=str(path))  # never write what could not be read back
    write_text_atomic(path, json.dumps(archive.data, indent=1, ensure_ascii=False) + "\n", "archive")
    return path
