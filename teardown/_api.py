"""The small Python API, re-exported as ``teardown.plan`` and ``teardown.apply``.

    import teardown
    plan = teardown.plan(subtrees=["externalId:site-7"], region="eu-west-1")
    review = teardown.render(plan, "markdown")      # paste into the pull request
    report = teardown.apply(plan, region="eu-west-1", auto_approve=True)
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from teardown.apply import apply as _apply_plan
from teardown.aws import AwsTarget
from teardown.discover import discover_target
from teardown.plan import Plan, make_plan, write_plan
from teardown.report import ApplyReport
from teardown.select import SelectionSpec

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient


def plan(
    *,
    all: bool = False,
    subtrees: Iterable[str] = (),
    asset_models: Iterable[str] = (),
    tags: Iterable[str] = (),
    names: Iterable[str] = (),
    protect: Iterable[str] = (),
    protect_tags: Iterable[str] = (),
    portals: Iterable[str] = (),
    projects: Iterable[str] = (),
    region: str | None = None,
    profile: str | None = None,
    endpoint_url: str | None = None,
    client: IoTSiteWiseClient | None = None,
    out: str | Path | None = None,
) -> Plan:
    """Discover, select and plan, like ``sitewise-teardown plan``; writes the plan file when ``out`` is given.

    Raises ``SelectionRefused`` (with the flag that resolves it) or ``UnknownResourceError``.
    """
    spec = SelectionSpec.from_flags(all=all, subtrees=subtrees, asset_models=asset_models, tags=tags, names=names,
                                    protect=protect, protect_tags=protect_tags, portals=portals, projects=projects)
    target = AwsTarget(region=region, profile=profile, endpoint_url=endpoint_url)
    result, _ = make_plan(discover_target(target, spec, client=client), spec)
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
    """Apply a plan (or plan file), like ``sitewise-teardown apply``; see ``teardown.apply.apply`` for options
    (``auto_approve``, ``confirm``, ``max_deletes``, ``workers``, ``stop``, ``on_progress`` ...)."""
    target = options.pop("target", None) or AwsTarget(region=region, profile=profile, endpoint_url=endpoint_url)
    return _apply_plan(plan, target=target, **options)
