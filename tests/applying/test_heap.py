"""What an apply holds is kept out of the collector's full passes while it runs, and handed back at its end."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

import teardown.applying.run as run_module
from teardown.applying.heap import long_lived
from teardown.applying.progress import Progress
from teardown.inventory.selectors import SelectionSpec
from teardown.planning.planfile import gc_paused
from tests.support.worlds import Env


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """A process with nothing frozen, before and after (as pytest leaves it)."""
    gc.unfreeze()
    yield
    gc.unfreeze()


class _Box:
    """A tracked object of the test's own."""


@pytest.mark.usefixtures("unfrozen")
def test_long_lived_freezes_on_entry_and_on_keep_and_unfreezes_on_exit() -> None:
    with long_lived() as keep:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        made = [_Box() for _ in range(1000)]
        keep()
        assert gc.get_freeze_count() >= frozen + len(made)
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("unfrozen")
def test_a_freeze_the_process_made_before_is_left_as_it_was() -> None:
    gc.freeze()
    host = gc.get_freeze_count()
    with long_lived():
        pass
    assert gc.get_freeze_count() >= host > 0


@pytest.mark.usefixtures("unfrozen")
def test_holders_side_by_side_unfreeze_when_the_last_ends_and_planning_inside_thaws_nothing() -> None:
    with long_lived():
        outer = long_lived()
        keep = outer.__enter__()
        with gc_paused():
            made = [_Box() for _ in range(100)]
        assert gc.get_freeze_count() >= len(made)  # the plan's objects joined the frozen ones
    assert gc.get_freeze_count() > 0  # the other holder still runs
    keep()
    outer.__exit__(None, None, None)
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("unfrozen")
def test_apply_runs_frozen_refreezes_as_actions_finish_and_unfreezes_at_the_end(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Frozen through the walk (seen from its progress callback): one freeze on entry, one after the checks
    (the walk's schedule, built meanwhile, with it), one per KEEP_EVERY finished actions; nothing frozen once
    apply returns."""
    plan, path = env.plan(SelectionSpec(all=True))
    freezes: list[int] = []
    freeze = gc.freeze

    def counted() -> None:
        freezes.append(1)
        freeze()

    monkeypatch.setattr(gc, "freeze", counted)
    monkeypatch.setattr(run_module, "KEEP_EVERY", 2)
    during: list[int] = []

    def on_progress(_: Progress) -> None:
        during.append(gc.get_freeze_count())

    report = env.apply(plan, plan_path=path, on_progress=on_progress)
    assert report.ok
    assert during and min(during) > 0
    assert len(freezes) == 2 + len(plan.actions) // 2
    assert gc.get_freeze_count() == 0
