"""`sitewise-teardown plan` on the command line: the plan file it writes, and a refusal's exit code."""

from __future__ import annotations

from pathlib import Path

import pytest

from teardown.cli import main
from tests.support.worlds import Env


def test_plan_command_writes_a_plan_and_refuses_cleanly(farm: Env, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """`plan` writes under plans/ and prints the summary; a refusal exits 3 and writes nothing."""
    monkeypatch.chdir(tmp_path)
    code = main(["plan", "--subtree", farm.asset("enterprise/site-2")])
    out = capsys.readouterr().out
    assert code == 0
    assert "Plan written to plans/" in out and "delete assets" in out
    assert len(list((tmp_path / "plans").glob("*.plan.json"))) == 1
    refused = main(["plan", "--asset-model", farm.world.models["line"]])
    err = capsys.readouterr().err
    assert refused == 3
    assert "--subtree" in err
    assert len(list((tmp_path / "plans").glob("*.plan.json"))) == 1
