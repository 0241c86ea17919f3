"""`sitewise-teardown emulator serve` as a user runs it, and the AWS CLI pointed at it with the printed
environment only (no flags, no code changes)."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from teardown.cli import build_parser

pytestmark = pytest.mark.http


@pytest.fixture
def emulator_env() -> Iterator[dict[str, str]]:
    """Start the server in a subprocess and return the environment it printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "teardown", "emulator", "serve", "--port", "0", "--latency", "instant"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    watchdog = threading.Timer(60, process.kill)  # a hung server must not hang the suite
    watchdog.start()
    assert process.stdout is not None
    printed: dict[str, str] = {}
    try:
        for line in process.stdout:
            if line.startswith("export "):
                name, _, value = line[len("export ") :].strip().partition("=")
                printed[name] = shlex.split(value)[0]
            if "AWS_DEFAULT_REGION" in printed:
                break
        yield printed
    finally:
        process.send_signal(signal.SIGINT)
        rest = process.stdout.read()
        code = process.wait(timeout=30)
        watchdog.cancel()
    assert code == 0, "Ctrl-C stops the server cleanly"
    assert "emulator stopped" in rest


def _aws(env: dict[str, str], *args: str) -> dict[str, object]:
    aws = Path(sys.executable).with_name("aws")
    result = subprocess.run(
        [str(aws), *args, "--output", "json"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    document: dict[str, object] = json.loads(result.stdout)
    return document


def test_serve_prints_everything_a_client_needs(emulator_env: dict[str, str]) -> None:
    """Endpoint for SiteWise and STS (the same URL), host prefix off, dummy credentials, a region."""
    assert emulator_env["AWS_ENDPOINT_URL_IOTSITEWISE"].startswith("http://127.0.0.1:")
    assert emulator_env["AWS_ENDPOINT_URL_STS"] == emulator_env["AWS_ENDPOINT_URL_IOTSITEWISE"]
    assert emulator_env["AWS_DISABLE_HOST_PREFIX_INJECTION"] == "true"
    assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION"} <= set(emulator_env)


def test_aws_cli_against_the_printed_environment(emulator_env: dict[str, str]) -> None:
    """The AWS CLI creates and lists asset models and asks STS who it is, all on the emulator."""
    created = _aws(emulator_env, "iotsitewise", "create-asset-model", "--asset-model-name", "from-cli")
    listed = _aws(emulator_env, "iotsitewise", "list-asset-models")
    identity = _aws(emulator_env, "sts", "get-caller-identity")
    summaries = listed["assetModelSummaries"]
    assert isinstance(summaries, list)
    assert [m["id"] for m in summaries] == [created["assetModelId"]]
    assert identity["Account"] == "123456789012"


def test_serve_options_parse() -> None:
    """The serve command takes the documented options, and refuses a non-positive time scale."""
    parser = build_parser()
    args = parser.parse_args(
        ["emulator", "serve", "--port", "0", "--latency", "realistic", "--quotas", "off", "--time-scale", "30"]
    )
    assert (args.port, args.latency, args.quotas, args.time_scale, args.host) == (
        0,
        "realistic",
        "off",
        30.0,
        "127.0.0.1",
    )
    with pytest.raises(SystemExit):
        parser.parse_args(["emulator", "serve", "--time-scale", "0"])
