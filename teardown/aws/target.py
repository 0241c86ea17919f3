"""Where the engine acts: the target (region, profile, endpoint), the one place that builds boto3 clients,
and the identity (account, region) the credentials act in.

Nothing else in the engine calls ``boto3.client``. Tests and the demo get clients from here too, pointed
at the emulator by ``endpoint_url`` (or the standard ``AWS_ENDPOINT_URL_IOTSITEWISE`` variable), exactly
as a user points the engine at AWS.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import boto3
import botocore.session
from botocore.config import Config
from botocore.loaders import Loader

from teardown.aws.clock import Clock, SystemClock
from teardown.aws.retry import read_policy

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient
    from mypy_boto3_sts import STSClient

@dataclass(frozen=True)
class AwsTarget:
    """Where to talk to: the global options every command honours."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None

    def session(self, *, wire_timestamps: bool = False) -> boto3.Session:
        """A session for the target; with ``wire_timestamps``, its clients leave timestamps as the service
        sends them (epoch seconds) instead of making a datetime of each: for readers that look at states only,
        since parsing the dates is two thirds of the CPU a page of 250 asset summaries costs."""
        # botocore reads AWS_DEFAULT_REGION and the profile but not AWS_REGION, which the AWS CLI v2 and the
        # other SDKs read first (and --region's help promises): without a region of its own, honour it here.
        region = self.region or os.environ.get("AWS_REGION") or None
        core = botocore.session.Session(profile=self.profile)
        loader = _shared_loader(core)
        if wire_timestamps:
            core.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=_as_sent)
        session = boto3.Session(botocore_session=core, profile_name=self.profile, region_name=region)
        with _LOADERS_LOCK:  # boto3 adds its own data path to the loader on every session: keep it once
            loader.search_paths[:] = list(dict.fromkeys(loader.search_paths))
        return session

    def sitewise_endpoint(self) -> str | None:
        return self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL_IOTSITEWISE")

    def sts_endpoint(self) -> str | None:
        return self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL_STS")


def _as_sent(value: object) -> object:
    return value


# One botocore data loader per data path for the whole process: a new session otherwise reads the service
# model and endpoint data again (a tenth of a second or more, where a client of a known session costs 10 ms),
# and an apply makes three sessions before its first mutation.
_LOADERS: dict[str | None, Loader] = {}
_LOADERS_LOCK = threading.Lock()


def _shared_loader(core: botocore.session.Session) -> Loader:
    """Give ``core`` the process's loader for its data path (its own becomes that loader if it is the first)."""
    path = core.get_config_variable("data_path")
    with _LOADERS_LOCK:
        loader = _LOADERS.get(path)
        if loader is None:
            loader = _LOADERS[path] = core.get_component("data_loader")
        else:
            core.register_component("data_loader", loader)
    return loader


def _config(*, pool: int, local: bool) -> Config:
    # One attempt: every resend happens on the engine's request path (teardown.aws.calls), counted and
    # waited on the injected clock; botocore's own retries would sleep on the wall clock, unseen.
    # A local emulator cannot resolve "api.127.0.0.1": botocore must not prepend the host prefix.
    return Config(retries={"total_max_attempts": 1}, max_pool_connections=pool, inject_host_prefix=not local)


def sitewise_client(
    target: AwsTarget, *, pool: int = 16, session: boto3.Session | None = None, wire_timestamps: bool = False,
) -> IoTSiteWiseClient:
    """The one way the engine builds an iotsitewise client; ``wire_timestamps``: see ``AwsTarget.session``
    (for a session of the target's own: a given ``session`` is used as it is)."""
    endpoint = target.sitewise_endpoint()
    disable_prefix = os.environ.get("AWS_DISABLE_HOST_PREFIX_INJECTION", "").lower() == "true"
    sess = session or target.session(wire_timestamps=wire_timestamps)
    return sess.client(
        "iotsitewise", endpoint_url=endpoint, config=_config(pool=pool, local=endpoint is not None or disable_prefix),
    )


def sts_client(target: AwsTarget, *, session: boto3.Session | None = None) -> STSClient:
    sess = session or target.session()
    return sess.client("sts", endpoint_url=target.sts_endpoint(), config=Config(retries={"total_max_attempts": 1}))


def caller_identity(
    target: AwsTarget, *, session: boto3.Session | None = None, clock: Clock | None = None
) -> tuple[str, str]:
    """The (account, region) the engine is about to act in; a throttle or 5xx is retried on the clock, as
    every other request is."""
    sess = session or target.session()
    sts = sts_client(target, session=sess)
    answer = read_policy(clock or SystemClock())(sts.get_caller_identity)
    return str(answer["Account"]), sess.region_name or ""
