"""Fixtures of the command-line tests: the apply world with the command's ``apply`` on its manual clock."""

from __future__ import annotations

from typing import Any

import pytest

from teardown.applying.run import apply
from teardown.cli import apply_cmd
from tests.support.worlds import FAST_OBSERVE, FAST_RETRY, Env


@pytest.fixture
def cli(env: Env, monkeypatch: pytest.MonkeyPatch) -> Env:
    """``env``, with `sitewise-teardown apply` running on the shared ManualClock with fast polls and retries."""

    def on_manual_clock(*args: Any, **kwargs: Any) -> Any:
        return apply(*args, **kwargs, clock=env.clock, observe=FAST_OBSERVE, retry=FAST_RETRY)

    monkeypatch.setattr(apply_cmd, "apply", on_manual_clock)
    return env
