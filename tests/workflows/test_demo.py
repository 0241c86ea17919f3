"""The demo end to end: over HTTP against the embedded emulator, on a manual clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from teardown.emulator.clock import ManualClock
from teardown.workflows.demo import run_demo


@pytest.mark.http
def test_demo_decommissions_site_1_and_verifies(tmp_path: Path, clock: ManualClock) -> None:
    """The demo's own verification passes: selected gone, nothing else changed, kept-but-modified listed."""
    result = run_demo(plans_dir=tmp_path, clock=clock)
    assert result.report.ok
    assert result.left_behind == [] and result.changed == []
    assert result.verified
    assert result.plan.summary["deletes"]["assets"] == 13
    assert len(result.side_effects) == 5  # the five power series bound to site 1 / line 1 turbines
    assert result.plan_path.exists()
