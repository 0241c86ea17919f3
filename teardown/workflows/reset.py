"""Scheduled environment resets: plan and apply in one run, from a TOML file.

The file is the approval: it names the account and region it may act in (checked against STS before
anything is read, for the region the run resolves like every command: ``target.region`` or ``--region``,
else the standard AWS variables and profile), the selection, the protections and a ceiling on deletes.
The plan is still written to disk first, so every scheduled run leaves a reviewable record beside its
journal and report. It is applied as made, with the reading it was made from standing for the stale
check's re-read (``check_plan(fresh_inventory=...)``); a plan an earlier run left unfinished is read again.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import structlog

from teardown.applying.journal import load_records
from teardown.applying.paths import journal_path
from teardown.applying.progress import Progress
from teardown.applying.report import ApplyReport
from teardown.applying.run import DEFAULT_WORKERS, apply
from teardown.aws.calls import Calls
from teardown.aws.clock import Clock, SystemClock
from teardown.aws.discover import discover_present, discovery_client
from teardown.aws.pacing import DEFAULT_RATES, RateLimiter
from teardown.aws.target import AwsTarget, caller_identity
from teardown.errors import BadInputError, PlanRefused
from teardown.files import check_writable, read_text
from teardown.inventory.selectors import SelectionSpec, config_schemas, from_config
from teardown.planning.make import make_plan
from teardown.planning.planfile import Plan, load_plan, write_plan

log = structlog.get_logger(__name__)
_RESET_PLANS = "reset-*.plan.json"


@dataclass(frozen=True)
class ResetConfig:
    target: AwsTarget
    account: str
    region: str
    spec: SelectionSpec
    max_deletes: int | None
    workers: int
    rates: Mapping[str, float] | None  # quota families paced at the account's own rates, else the published
    plans_dir: Path
    archive: bool = True  # [apply] archive = false: a throwaway environment needs no way back


@dataclass(frozen=True)
class ResetResult:
    plan: Plan
    plan_path: Path | None  # None when there was nothing to do
    report: ApplyReport | None
    # Plans an earlier, interrupted reset left unfinished, applied again first, with their reports.
    finished_first: tuple[tuple[Path, ApplyReport], ...] = ()


def load_reset_config(path: str | Path) -> ResetConfig:
    """Parse and validate a reset file; ``BadInputError`` names the key at fault."""
    text = read_text(Path(path), "reset config")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInputError(f"{path}: not valid TOML: {exc}") from None
    try:
        jsonschema.validate(data, config_schema())
    except jsonschema.ValidationError as exc:
        where = ".".join(str(p) for p in exc.absolute_path) or "(top)"
        raise BadInputError(f"{path}: invalid reset config at {where}: {exc.message}") from None
    return _config(data)


@cache
def config_schema() -> dict[str, Any]:
    """The reset file's JSON Schema: the shipped file, with the selector tables filled in from the selector
    table (their one owner)."""
    text = resources.files("teardown.workflows").joinpath("reset_config.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    schema["properties"].update(config_schemas())
    # apply.rates: one entry per quota family of the published table, a positive rate each.
    schema["properties"]["apply"]["properties"]["rates"] = {
        "type": "object", "additionalProperties": False,
        "properties": {family: {"type": "number", "exclusiveMinimum": 0} for family in DEFAULT_RATES},
    }
    return schema


def _config(data: dict[str, Any]) -> ResetConfig:
    target, guard, apply_cfg = data.get("target", {}), data["guard"], data.get("apply", {})
    spec = from_config(data)
    if spec.is_empty:
        raise BadInputError("reset config selects nothing: set select.all or a selector list")
    return ResetConfig(
        # No target.region: the region every command resolves (--region, else AWS_REGION, AWS_DEFAULT_REGION
        # or the profile), which the guard then checks; never the guard's own region, which would pass it.
        target=AwsTarget(region=target.get("region"), profile=target.get("profile"),
                         endpoint_url=target.get("endpoint_url")),
        account=guard["account"],
        region=guard["region"],
        spec=spec,
        max_deletes=guard.get("max_deletes"),
        workers=apply_cfg.get("workers", DEFAULT_WORKERS),
        rates=apply_cfg.get("rates"),
        plans_dir=Path(apply_cfg.get("plans_dir", "plans")),
        archive=apply_cfg.get("archive", True),
    )


def run_reset(
    config: ResetConfig,
    *,
    target: AwsTarget | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    clock: Clock | None = None,
) -> ResetResult:
    """Guard, plan, write the plan, apply it (auto-approved by the config). Raises on any refusal."""
    target = target or config.target
    check_writable(config.plans_dir, "plans directory", directory=True)
    account, region = caller_identity(target, clock=clock)
    if (account, region) != (config.account, config.region):
        where = region or "no region (give --region, set AWS_REGION or target.region)"
        raise PlanRefused(
            f"reset config is for account {config.account} in {config.region}, "
            f"but the credentials act in account {account} in {where}"
        )
    finished = _finish_unfinished(config, target, on_progress=on_progress, clock=clock)
    if finished and not finished[-1][1].ok:
        path, report = finished[-1]  # what an earlier run left could not be finished: stop there and say so
        return ResetResult(plan=load_plan(path), plan_path=path, report=report, finished_first=tuple(finished))
    clock = clock or SystemClock()
    calls = Calls(discovery_client(target, config.workers, config.rates), clock,
                  limiter=RateLimiter(clock, config.rates))
    # A scheduled reset runs again and again: a selected id already gone (deleted by an earlier run) is
    # nothing left to do there, not an error.
    inventory, spec, _gone = discover_present(calls, config.spec, account=account, region=region,
                                              endpoint=target.sitewise_endpoint())
    plan, _ = make_plan(inventory, spec)
    if plan.is_empty:
        log.info("reset.nothing_to_do", account=account, region=region)
        return ResetResult(plan=plan, plan_path=None, report=None, finished_first=tuple(finished))
    path = write_plan(plan, config.plans_dir / _RESET_PLANS.replace("*", plan.digest.removeprefix("sha256:")[:12]))
    log.info("reset.planned", path=str(path), actions=len(plan.actions))
    # The plan was made from what was read just now: that reading stands for the freshness check's, which
    # would read it all again only to move the same window between reading and the first mutation later.
    report = apply(plan, plan_path=path, target=target, auto_approve=True, max_deletes=config.max_deletes,
                   workers=config.workers, rates=config.rates, on_progress=on_progress, clock=clock,
                   archive=config.archive, fresh_inventory=inventory)
    return ResetResult(plan=plan, plan_path=path, report=report, finished_first=tuple(finished))


def _finish_unfinished(
    config: ResetConfig,
    target: AwsTarget,
    *,
    on_progress: Callable[[Progress], None] | None,
    clock: Clock | None,
) -> list[tuple[Path, ApplyReport]]:
    """Apply again every reset plan an earlier run started and did not finish (a crash, a kill, a failure), oldest
    first: what it disassociated is no longer under its subtree, so only its own journal can finish it.

    A plan refused as stale is left for the fresh plan that follows to cover; a failure stops the reset."""
    done: list[tuple[Path, ApplyReport]] = []
    for path in sorted(config.plans_dir.glob(_RESET_PLANS), key=lambda p: p.stat().st_mtime):
        plan = load_plan(path)
        records, _ = load_records(journal_path(path), plan.digest)
        if not records or all(a.id in records and records[a.id].finished for a in plan.actions):
            continue  # never started (a fresh plan covers it), or finished
        log.info("reset.finishing", path=str(path), left=sum(1 for a in plan.actions
                                                             if not (a.id in records and records[a.id].finished)))
        try:
            report = apply(path, target=target, auto_approve=True, max_deletes=config.max_deletes,
                           workers=config.workers, rates=config.rates, on_progress=on_progress, clock=clock,
                   archive=config.archive)
        except PlanRefused as exc:
            log.warning("reset.unfinished_plan_refused", path=str(path), error=str(exc))
            continue
        done.append((path, report))
        if not report.ok:
            break
    return done
