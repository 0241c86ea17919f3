"""The small Python API, re-exported as ``teardown.plan`` and ``teardown.apply``.

    import teardown
    plan = teardown.plan(subtrees=["externalId:site-7"], region="eu-west-1")
    review = teardown.render(plan, "markdown")      # paste into the pull request
    report = teardown.apply(plan, region="eu-west-1", auto_approve=True)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from teardown.applying.report import ApplyReport
from teardown.applying.run import apply as _apply_plan
from teardown.aws.discover import discover_target
from teardown.aws.target import AwsTarget
from teardown.inventory.selectors import SelectionSpec
from teardown.planning.make import make_plan
from teardown.planning.planfile import Plan, write_plan


def plan(
    selection: SelectionSpec | None = None,
    *,
    region: str | None = None,
    profile: str | None = None,
    endpoint_url: str | None = None,
    client: Any | None = None,
    out: str | Path | None = None,
    rates: Mapping[str, float] | None = None,
    **selectors: Any,
) -> Plan:
    """Discover, select and plan, like ``sitewise-teardown plan``; writes the plan file when ``out`` is given.

    The selection is a ``SelectionSpec``, or the selectors as keywords named like its fields
    (``subtrees=[...]``, ``asset_models=[...]``, ``all=True``, ``protect=[...]`` ...; see
    ``teardown.inventory.selectors.SELECTORS``). Raises ``SelectionRefused`` (with the flag that resolves
    it), ``UnknownResourceError``, or ``BadInputError`` for an unknown selector. ``rates`` paces discovery
    per quota family at an account's own quotas (as ``apply``'s does).
    """
    spec = selection if selection is not None else SelectionSpec.from_flags(**selectors)
    target = AwsTarget(region=region, profile=profile, endpoint_url=endpoint_url)
    result, _ = make_plan(discover_target(target, spec, client=client, rates=rates), spec)
    if out is not None:
        write_plan(result, out)
    return result


def apply(
    plan: Plan | str | Path,
    *,
    region: str | None = None,
    profile: str | None = None,
    endpoint_url: str | None = None,
    **options: Any,
) -> ApplyReport:
    """Apply a plan (or plan file), like ``sitewise-teardown apply``; see ``teardown.applying.run.apply`` for
    options (``auto_approve``, ``confirm``, ``max_deletes``, ``workers``, ``stop``, ``on_progress`` ...)."""
    target = options.pop("target", None) or AwsTarget(region=region, profile=profile, endpoint_url=endpoint_url)
    return _apply_plan(plan, target=target, **options)
