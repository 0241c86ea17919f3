"""Credentials per target run, and the guard: a boto3 session for its profile or assumed role, checked against
the account the targets file expects before anything is read.

An assumed role's credentials refresh themselves (botocore's ``RefreshableCredentials``) by assuming the
role again, through the engine's read retry policy on the injected clock, so an apply that outlives the
role session's hour goes on. The runner's own credentials (the environment, an instance role, OIDC in CI)
assume the role; a target with neither ``profile`` nor ``role_arn`` acts with them directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
import botocore.session
from botocore.credentials import RefreshableCredentials

from teardown.aws.clock import Clock
from teardown.aws.retry import read_policy
from teardown.aws.target import AwsTarget, caller_identity, sitewise_client, sts_client
from teardown.errors import PlanRefused
from teardown.fleet.targets import TargetRun

SESSION_NAME = "sitewise-teardown-fleet"


@dataclass(frozen=True)
class Connection:
    """Where one target run acts: its target, session, SiteWise client and the identity STS confirmed."""

    target: AwsTarget
    session: boto3.Session
    client: Any
    account: str
    region: str


def connect(run: TargetRun, *, clock: Clock, pool: int = 16) -> Connection:
    """The run's session and client, after the guard: ``PlanRefused`` (exit 3) when STS answers another
    account than the targets file expects (a role or profile pointing at the wrong account)."""
    target = AwsTarget(region=run.region, profile=run.profile, endpoint_url=run.endpoint_url)
    session = _session(run, target, clock)
    account, region = caller_identity(target, session=session, clock=clock)
    if account != run.account:
        raise PlanRefused(f"target {run.name!r} expects account {run.account}, but its credentials act in "
                          f"account {account}; nothing was read or changed there")
    return Connection(target=target, session=session, client=sitewise_client(target, pool=pool, session=session),
                      account=account, region=region or run.region)


def _session(run: TargetRun, target: AwsTarget, clock: Clock) -> boto3.Session:
    if run.role_arn is None:
        return boto3.Session(profile_name=run.profile, region_name=run.region)
    runner = boto3.Session(region_name=run.region)
    sts = sts_client(target, session=runner)
    extra = {"ExternalId": run.external_id} if run.external_id else {}

    def assume() -> dict[str, str]:
        answer = read_policy(clock)(sts.assume_role, RoleArn=run.role_arn, RoleSessionName=SESSION_NAME, **extra)
        creds = answer["Credentials"]
        return {"access_key": creds["AccessKeyId"], "secret_key": creds["SecretAccessKey"],
                "token": creds["SessionToken"], "expiry_time": creds["Expiration"].isoformat()}

    credentials = RefreshableCredentials.create_from_metadata(
        metadata=assume(), refresh_using=assume, method="sts-assume-role")
    core = botocore.session.Session()
    # botocore's public set_credentials takes static keys only; a session that renews its own credentials is
    # made by setting the attribute its credential resolution reads (the recipe botocore's users share).
    core._credentials = credentials  # type: ignore[attr-defined]  # see above: no public setter for these
    return boto3.Session(botocore_session=core, region_name=run.region)
