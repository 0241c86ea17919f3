"""`sitewise-teardown emulator seed`: seeds through the same boto3 path a user's shell would, here
answered in-process by the emulator (the hook catches every iotsitewise client made while active)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from teardown.cli import main
from teardown.emulator import FaultSettings
from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.hook import mock_sitewise
from teardown.errors import EXIT_ACTIONS_FAILED, EXIT_BAD_INPUT, EXIT_OK, EXIT_REFUSED


@pytest.fixture
def served(backend: SiteWiseBackend, monkeypatch: pytest.MonkeyPatch) -> SiteWiseBackend:
    """The backend answers every client; instant latency, so the CLI's wall clock never needs to wait."""
    monkeypatch.setattr(time, "sleep", lambda seconds: pytest.fail(f"real sleep of {seconds} s"))
    return backend


def asset_count(backend: SiteWiseBackend) -> int:
    return backend.call_counts().get("CreateAsset", 0)


def test_seed_windfarm_prints_the_counts(served: SiteWiseBackend, capsys: pytest.CaptureFixture[str]) -> None:
    """The default world is the packaged windfarm; the summary lists what was created."""
    with mock_sitewise(served):
        code = main(["emulator", "seed", "--log-format", "json"])
    out = capsys.readouterr().out
    assert code == EXIT_OK
    assert "seeded world 'windfarm' (seed 1)" in out
    assert any(line.split() == ["assets", "40"] for line in out.splitlines())
    assert asset_count(served) == 40


def test_seed_a_world_file_twice_is_refused(served: SiteWiseBackend, capsys: pytest.CaptureFixture[str]) -> None:
    """A world file seeds once; the second run is refused with exit code 3 and says why."""
    example = Path(__file__).resolve().parents[2] / "examples" / "worlds" / "windfarm.toml"
    with mock_sitewise(served):
        assert main(["emulator", "seed", "--world", str(example), "--log-format", "json"]) == EXIT_OK
        capsys.readouterr()
        assert main(["emulator", "seed", "--world", str(example), "--log-format", "json"]) == EXIT_REFUSED
    assert "already seeded" in capsys.readouterr().err
    assert asset_count(served) == 40


def test_a_seeding_that_fails_exits_1(served: SiteWiseBackend, capsys: pytest.CaptureFixture[str]) -> None:
    """A call refused for good stops seeding: exit code 1 and `error:` naming the call, no traceback."""
    # CreateGateway has no clientToken, so only throttling is retried: an internal failure is final.
    served.faults = FaultSettings(internal_before=1.0, operations=frozenset({"CreateGateway"}))
    with mock_sitewise(served):
        code = main(["emulator", "seed", "--log-format", "json"])
    assert code == EXIT_ACTIONS_FAILED
    assert "error: CreateGateway " in capsys.readouterr().err


def test_seed_random_world_as_json(served: SiteWiseBackend, capsys: pytest.CaptureFixture[str]) -> None:
    """--random-assets seeds a seeded forest; --json prints every id by logical name."""
    with mock_sitewise(served):
        code = main(["emulator", "seed", "--random-assets", "40", "--seed", "5", "--json", "--log-format", "json"])
    assert code == EXIT_OK
    world = json.loads(capsys.readouterr().out)
    assert world["name"] == "random-5"
    assert len(world["assets"]) == 40
    assert asset_count(served) == 40


def test_bad_world_file_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A malformed file exits 2 with the key named, before any request."""
    path = tmp_path / "bad.toml"
    path.write_text('[world]\nname = "x"\n[[assets]]\nmodel = "nothing"\n', encoding="utf-8")
    assert main(["emulator", "seed", "--world", str(path), "--log-format", "json"]) == EXIT_BAD_INPUT
    assert "assets.nothing.model: unknown model 'nothing'" in capsys.readouterr().err


def test_unreachable_endpoint_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    """With no emulator listening, the command says where it tried and exits 2 (no traceback)."""
    code = main(["emulator", "seed", "--endpoint-url", "http://127.0.0.1:9", "--log-format", "json"])
    assert code == EXIT_BAD_INPUT
    assert "cannot reach SiteWise at http://127.0.0.1:9" in capsys.readouterr().err


def test_seed_into_another_account_and_region(served: SiteWiseBackend, capsys: pytest.CaptureFixture[str]) -> None:
    """--region and --account pick the emulator's world; the default world stays empty."""
    with mock_sitewise(served):
        code = main(["emulator", "seed", "--region", "eu-west-1", "--account", "222222222222", "--log-format", "json"])
    assert code == EXIT_OK
    assert "(account 222222222222, eu-west-1)" in capsys.readouterr().out
    assert served.call_counts(account="222222222222", region="eu-west-1").get("CreateAsset") == 40
    assert served.snapshot()["assets"] == []
    assert len(served.snapshot(account="222222222222", region="eu-west-1")["assets"]) == 40


def test_seed_refuses_an_account_that_is_not_one(served: SiteWiseBackend, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited, mock_sitewise(served):
        main(["emulator", "seed", "--account", "2222"])
    assert exited.value.code == EXIT_BAD_INPUT
    assert "12-digit" in capsys.readouterr().err
    assert served.worlds() == [("123456789012", "us-east-1")]
