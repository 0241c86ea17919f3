"""Is a saved plan still true? Re-read what it touches (on the one request path) and compare fingerprints.

Re-discovery uses the plan's own selectors (so a new child under a subtree or a new asset of a model shows
up), then ``fingerprint.differences`` says what changed. Resources already gone are fine: an earlier,
interrupted apply of this plan may have removed them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import structlog

from teardown.aws.calls import Calls
from teardown.aws.discover import discover
from teardown.errors import SelectionRefused, UnknownResourceError
from teardown.inventory.select import select
from teardown.planning.fingerprint import differences, fingerprint
from teardown.planning.planfile import Plan

if TYPE_CHECKING:
    from collections.abc import Collection

log = structlog.get_logger(__name__)


def find_stale(plan: Plan, calls: Calls, *, progressed: Collection[str] = ()) -> list[str]:
    """Differences between the plan's view and the world now; empty means the plan may be applied.

    ``progressed`` names actions an earlier apply of this plan started (from its journal): the changes those
    made to their own targets are expected, not staleness.
    """
    spec = plan.spec
    while True:
        try:
            inventory = discover(calls, spec, account=plan.account, region=plan.region, endpoint=plan.endpoint)
            break
        except UnknownResourceError as exc:
            # A subtree root that is gone was deleted (by this plan, or already): nothing left to check there.
            gone = next((ref for ref in spec.subtrees if repr(ref) in str(exc)), None)
            if gone is None:
                raise
            spec = replace(spec, subtrees=tuple(r for r in spec.subtrees if r != gone))
            if spec.is_empty:
                return []
    try:
        selection = select(inventory, spec)
    except SelectionRefused as exc:
        return [f"the selection no longer closes cleanly: {exc}"]
    found = differences(plan.fingerprint, fingerprint(inventory, selection), plan.actions, progressed)
    log.info("stale.checked", plan=plan.digest, differences=len(found))
    return found
