"""Fixtures of the workflow tests: reset config files, written the way a user writes them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.worlds import ACCOUNT, REGION


@pytest.fixture
def reset_file(tmp_path: Path) -> Callable[..., Path]:
    """Writes ``tmp_path/reset.toml`` with the given ``[select]`` body (a guard for ``account`` in ``REGION``,
    plans under ``tmp_path/plans``, and ``target``, a ``[target]`` table, if given) and answers its path:
    ``reset_file("all = true", max_deletes=5)``."""

    def write(select: str, *, account: str = ACCOUNT, max_deletes: int = 100, target: str = "") -> Path:
        path = tmp_path / "reset.toml"
        path.write_text(f"""{target}
[guard]
account = "{account}"
region = "{REGION}"
max_deletes = {max_deletes}

[select]
{select}

[apply]
plans_dir = "{tmp_path / 'plans'}"
""")
        return path

    return write
