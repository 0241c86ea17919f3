"""`sitewise-teardown` for tests that run the command line as a subprocess (shell scripts, a workflow's steps).

The real CLI, argument parsing to exit code, with one difference: discovery and apply run on a ManualClock
with fast polls and retries, so their waits (an apply polls every second for deletes to be observed) cost
no wall time. The emulator it talks to runs in the test's process with instant latencies.

    SITEWISE_TEARDOWN="python -m tests.support.cli_on_manual_clock" examples/plan-review/plan.sh ...

No tests here.
"""

from __future__ import annotations

import sys
from typing import Any

from teardown.applying.effects import ObserveSettings
from teardown.applying.run import apply
from teardown.aws.discover import discover_target
from teardown.aws.retry import RetrySettings
from teardown.cli import apply_cmd, main, plan_cmd
from teardown.emulator.clock import ManualClock

# As tests/support/worlds.py's FAST_OBSERVE and FAST_RETRY (not imported: that module loads moto).
_OBSERVE = ObserveSettings(timeout=600.0)
_RETRY = RetrySettings(initial=0.05, max_wait=2.0, deadline=120.0)
_CLOCK = ManualClock()


def _apply(*args: Any, **kwargs: Any) -> Any:
    return apply(*args, **kwargs, clock=_CLOCK, observe=_OBSERVE, retry=_RETRY)


def _discover(*args: Any, **kwargs: Any) -> Any:
    return discover_target(*args, **kwargs, clock=_CLOCK)


if __name__ == "__main__":
    apply_cmd.apply = _apply  # type: ignore[attr-defined]
    plan_cmd.discover_target = _discover  # type: ignore[attr-defined]
    sys.exit(main())
