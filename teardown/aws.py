"""The one place that builds boto3 clients: endpoint, region, profile, retries, host prefix.

Nothing else in the engine calls ``boto3.client``. Tests and the demo get clients from here too, pointed
at the emulator by ``endpoint_url`` (or the standard ``AWS_ENDPOINT_URL_IOTSITEWISE`` variable), exactly
as a user points the engine at AWS.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient
    from mypy_boto3_sts import STSClient

RetryMode = Literal["botocore", "none"]


@dataclass(frozen=True)
class AwsTarget:
    """Where to talk to: the global options every command honours."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None

    def session(self) -> boto3.Session:
        return boto3.Session(profile_name=self.profile, region_name=self.region)

    def sitewise_endpoint(self) -> str | None:
        return self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL_IOTSITEWISE")

    def sts_endpoint(self) -> str | None:
        return self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL_STS")


def _config(*, retries: RetryMode, pool: int, local: bool) -> Config:
    # "none": the caller (apply) owns retries through tenacity, so a resend is counted and logged once.
    # "botocore": read-only discovery leans on botocore's standard mode (throttling and 5xx, with jitter).
    retry_cfg: dict[str, Any] = (
        {"mode": "standard", "max_attempts": 8} if retries == "botocore" else {"total_max_attempts": 1}
    )
    # A local emulator cannot resolve "api.127.0.0.1": botocore must not prepend the host prefix.
    return Config(
        retries=retry_cfg,  # type: ignore[arg-type]
        max_pool_connections=pool,
        inject_host_prefix=not local,
    )


def sitewise_client(
    target: AwsTarget, *, retries: RetryMode = "botocore", pool: int = 16, session: boto3.Session | None = None
) -> IoTSiteWiseClient:
    endpoint = target.sitewise_endpoint()
    disable_prefix = os.environ.get("AWS_DISABLE_HOST_PREFIX_INJECTION", "").lower() == "true"
    sess = session or target.session()
    return sess.client(
        "iotsitewise",
        endpoint_url=endpoint,
        config=_config(retries=retries, pool=pool, local=endpoint is not None or disable_prefix),
    )


def sts_client(target: AwsTarget, *, session: boto3.Session | None = None) -> STSClient:
    sess = session or target.session()
    return sess.client("sts", endpoint_url=target.sts_endpoint())


def caller_identity(target: AwsTarget, *, session: boto3.Session | None = None) -> tuple[str, str]:
    """The (account, region) the engine is about to act in."""
    sess = session or target.session()
    account = sts_client(target, session=sess).get_caller_identity()["Account"]
    region = sess.region_name or ""
    return account, region
