"""One TOML table of a world file and where it sits: typed reads, each error naming the key at fault, and
unknown keys refused (a typo must not silently drop a resource)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from teardown.emulator.seed.errors import WorldFileError


class Table:
    """One TOML table and where it sits; reads typed values and remembers which keys were used."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, Mapping):
            raise WorldFileError(f"{where or 'top level'}: expected a table, got {_kind(data)}")
        self.data: Mapping[str, Any] = data
        self.where = where
        self.used: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.where}.{name}" if self.where else name

    def _get(self, name: str, expected: tuple[type, ...], what: str) -> Any:
        self.used.add(name)
        value = self.data.get(name)
        # bool is an int to Python, not to TOML: `count = true` is an error, not 1.
        wrong_bool = isinstance(value, bool) and bool not in expected
        if value is not None and (wrong_bool or not isinstance(value, expected)):
            raise WorldFileError(f"{self.key(name)}: expected {what}, got {_kind(value)}")
        return value

    def string(self, name: str, default: str | None = None) -> str:
        value = self._get(name, (str,), "a string")
        if value is None:
            if default is None:
                raise WorldFileError(f"{self.key(name)}: required")
            return default
        if not value.strip():
            raise WorldFileError(f"{self.key(name)}: must not be empty")
        return str(value)

    def optional_string(self, name: str) -> str | None:
        return self.string(name) if self.data.get(name) is not None else self._get(name, (str,), "a string")

    def integer(self, name: str, *, default: int, minimum: int) -> int:
        value = self._get(name, (int,), "an integer")
        if value is None:
            return default
        if value < minimum:
            raise WorldFileError(f"{self.key(name)}: must be at least {minimum}, got {value}")
        return int(value)

    def string_map(self, name: str) -> dict[str, str]:
        table = self.table(name)
        if table is None:
            return {}
        out = {k: table.string(k) for k in table.data}
        table.done()
        return out

    def string_list(self, name: str) -> tuple[str, ...]:
        value = self._get(name, (str, list), "a string or a list of strings")
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        for i, item in enumerate(items):
            if not isinstance(item, str):
                raise WorldFileError(f"{self.key(name)}[{i}]: expected a string, got {_kind(item)}")
        return tuple(items)

    def table(self, name: str, *, required: bool = False) -> Table | None:
        value = self._get(name, (dict,), "a table")
        if value is None:
            if required:
                raise WorldFileError(f"{self.key(name)}: required table is missing")
            return None
        return Table(value, self.key(name))

    def named_tables(self, name: str) -> list[tuple[str, Table]]:
        """A table of tables keyed by logical name, e.g. [models.turbine]."""
        table = self.table(name)
        if table is None:
            return []
        out = [(key, Table(value, table.key(key))) for key, value in table.data.items()]
        table.used.update(table.data)
        return out

    def tables(self, name: str) -> list[Table]:
        """An array of tables, e.g. [[assets]]."""
        value = self._get(name, (list,), "an array of tables ([[...]])")
        return [Table(item, f"{self.key(name)}[{i}]") for i, item in enumerate(value or [])]

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise WorldFileError(f"{self.key(unknown[0])}: unknown key")


def _kind(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)
