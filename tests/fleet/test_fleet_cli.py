"""`sitewise-teardown fleet`: a targets file that is wrong exits 2 naming the line and key and changes nothing;
plan, apply and status over the command line, and one target run alone by its index."""

from __future__ import annotations

from pathlib import Path

import pytest

from teardown.cli import main
from teardown.fleet import run as fleet_run
from tests.fleet.conftest import Fleet
from tests.support.worlds import FAST_OBSERVE, FAST_RETRY

GOOD_TARGET = '[[targets]]\nname = "dev"\naccount = "111111111111"\nregions = ["eu-west-1"]\n'


@pytest.mark.parametrize(("text", "expected"), [
    ("[[targets]\nname = 1\n", "not valid TOML"),
    (GOOD_TARGET + 'colour = "red"\n', "line 5: targets[0]: Additional properties are not allowed ('colour'"),
    ('[defaults.select]\nall = true\n\n[[targets]]\nname = "dev"\nregions = ["eu-west-1"]\n',
     "line 4: targets[0]: 'account' is a required property"),
    (GOOD_TARGET.replace("eu-west-1", "mars-1"), "line 4: targets[0].regions[0]: 'mars-1' is not an AWS region"),
    (GOOD_TARGET + 'profile = "p"\nrole_arn = "arn:aws:iam::111111111111:role/r"\n', "profile or role_arn, not both"),
    (GOOD_TARGET + GOOD_TARGET, "names 2 targets"),
])
def test_a_bad_targets_file_exits_2_naming_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, text: str, expected: str,
) -> None:
    """Bad TOML, an unknown key, a missing account, a bad region, both credentials, a name twice: exit 2, the
    message names the line and key, and no state is written."""
    monkeypatch.chdir(tmp_path)
    targets = tmp_path / "targets.toml"
    targets.write_text(text)
    for argv in (["plan"], ["apply", "--auto-approve"], ["status"]):
        assert main(["fleet", *argv, "--targets", str(targets)]) == 2
        assert expected in capsys.readouterr().err
    assert not (tmp_path / "fleet-state").exists()


def test_a_target_index_out_of_range_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """``JOB_COMPLETION_INDEX`` picks the run; one past the end names the range."""
    targets = tmp_path / "targets.toml"
    targets.write_text(GOOD_TARGET)
    monkeypatch.setenv("JOB_COMPLETION_INDEX", "3")
    assert main(["fleet", "status", "--targets", str(targets), "--state", str(tmp_path / "s")]) == 2
    assert "numbered 0 to 0" in capsys.readouterr().err


@pytest.mark.http
def test_plan_apply_and_status_from_the_command_line(
    fleet: Fleet, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The one-table plan, an apply of one run picked by ``--target-index`` (flag over the variable), status."""
    real_apply = fleet_run.apply  # type: ignore[attr-defined]  # the module's own import, patched for its clock
    monkeypatch.setattr(fleet_run, "apply", lambda *a, **k: real_apply(
        *a, **{**k, "clock": fleet.clock, "observe": FAST_OBSERVE, "retry": FAST_RETRY}))
    monkeypatch.setenv("JOB_COMPLETION_INDEX", "0")
    state = f"s3://fleet-state/cli/{fleet.tmp.name}"
    common = ["--targets", str(fleet.targets_file), "--state", state, "--cache-dir", str(fleet.tmp / "cache")]
    assert main(["fleet", "plan", *common, "--target-index", "3"]) == 0
    out = capsys.readouterr().out
    assert "stage" in out and "333333333333" in out and "dev" not in out.split("State:")[0]
    assert main(["fleet", "apply", *common, "--target-index", "3", "--auto-approve"]) == 0
    assert main(["fleet", "status", *common, "--target-index", "3"]) == 0
    status = capsys.readouterr().out
    assert "done" in status and fleet.members[3].assets_left() == 0
    assert all(m.assets_left() > 0 for m in fleet.members[:3])  # stage's apply touched only stage's world
    assert main(["fleet", "apply", *common, "--auto-approve"]) == 2  # index 0 from the variable: never planned
    assert "no plan for #0 dev" in capsys.readouterr().out


def test_the_example_targets_file_loads() -> None:
    """examples/fleet/targets.toml is valid, and its runs are numbered in file order."""
    from teardown.fleet.targets import load_targets

    runs = load_targets(Path(__file__).resolve().parents[2] / "examples" / "fleet" / "targets.toml")
    assert [(r.index, r.name, r.region) for r in runs] == [
        (0, "dev", "eu-west-1"), (1, "dev", "eu-central-1"), (2, "qa", "us-east-1"), (3, "perf", "us-east-1")]
    assert runs[3].spec.all and runs[3].rates == {"asset": 60}
