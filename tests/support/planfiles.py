"""Plan files as a hand editor leaves them: changed, and not resealed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any


def edit_plan_file(path: Path, change: Callable[[dict[str, Any]], object]) -> None:
    """Apply ``change`` to the plan file's JSON in place, without recomputing its digest."""
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))
