"""Every bad input on the command line ends in a clear `error:` line and its exit code (2), never a
traceback, and before any AWS call: ids, numbers, files that are directories or not text, inventories of
the wrong shape, places a plan cannot be written to. Each runs through ``teardown.cli.main``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from teardown.cli import apply_cmd, show_cmd
from teardown.errors import PlanRefused
from tests.support.cli import Cli, CliResult

pytestmark = pytest.mark.usefixtures("no_aws")

ASSET = "a-site-1"  # an asset of the hand-built wind farm (``inventory_file``, ``plan_file``)

ID_FLAGS = ("--subtree", "--asset-model", "--portal", "--project", "--protect")
BAD_IDS = (
    ("", "not an empty string"),
    ("externalId:", "names no external id"),
    ("site 1", "contain no whitespace"),
    ("x" * 140, "at most 139"),
)


def _refused(result: CliResult, *fragments: str) -> None:
    assert result.code == 2, result.err
    assert result.clean, result.err
    assert len(result.errors) == 1, result.err
    for fragment in fragments:
        assert fragment in result.errors[0], result.errors[0]


@pytest.mark.parametrize("flag", ID_FLAGS)
@pytest.mark.parametrize(("value", "reason"), BAD_IDS, ids=("empty", "bare-prefix", "space", "too-long"))
def test_an_empty_short_or_malformed_id_is_bad_input(cli: Cli, flag: str, value: str, reason: str) -> None:
    """An id is a non-empty string without whitespace, at most 139 characters, and externalId: must be
    followed by the external id; the error names the flag. (--protect guards; --all gives it a selection.)"""
    _refused(cli("plan", "--all", flag, value), f"error: {flag}", reason)


def test_the_longest_id_and_a_one_character_external_id_are_accepted(cli: Cli, inventory_file: Path) -> None:
    """The limits are exact: externalId:X and 139 characters pass the check (and then name nothing here)."""
    for value in ("externalId:X", "externalId:" + "x" * 128):
        result = cli("plan", "--subtree", value, "--inventory", str(inventory_file))
        assert result.code == 2 and result.clean
        assert "not found" in result.errors[0], result.err


@pytest.mark.parametrize(
    "argv",
    [
        ("plan", "--all", "--workers", "0"),
        ("plan", "--all", "--workers", "-3"),
        ("plan", "--all", "--workers", "many"),
        ("apply", "PLAN", "--auto-approve", "--workers", "0"),
        ("apply", "PLAN", "--auto-approve", "--max-deletes", "-1"),
        ("apply", "PLAN", "--auto-approve", "--max-deletes", "1.5"),
        ("demo", "--workers", "0"),
    ],
    ids=("plan-workers-0", "plan-workers-negative", "plan-workers-text", "apply-workers-0",
         "apply-max-deletes-negative", "apply-max-deletes-fraction", "demo-workers-0"),
)
def test_a_number_out_of_range_is_refused_by_the_argument_parser(
    cli: Cli, plan_file: Path, argv: tuple[str, ...]
) -> None:
    """Counts are whole numbers of at least 1, --max-deletes at least 0: argparse refuses the rest with its
    usage and exit 2, before a plan file is read or a client built."""
    result = cli(*(str(plan_file) if a == "PLAN" else a for a in argv))
    flag = argv[-2]
    assert result.code == 2 and result.clean
    assert f"error: argument {flag}: " in result.err
    assert "at least" in result.err or "whole number" in result.err


def test_max_deletes_zero_is_a_limit_not_an_error(cli: Cli, plan_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """0 is a valid --max-deletes (refuse any delete): the parser lets it through to apply."""
    seen: dict[str, object] = {}

    def fake_apply(*args: object, **kwargs: object) -> object:
        seen.update(kwargs)
        raise PlanRefused("stopped by the test")

    monkeypatch.setattr(apply_cmd, "apply", fake_apply)
    result = cli("apply", str(plan_file), "--auto-approve", "--max-deletes", "0")
    assert result.code == 3 and seen["max_deletes"] == 0


@pytest.mark.parametrize("flag", ["--out", "--save-inventory"])
def test_an_output_path_that_is_a_directory_is_refused_before_discovery(cli: Cli, tmp_path: Path, flag: str) -> None:
    """--out or --save-inventory naming a directory: refused before discovery sends a single call (the plan
    would otherwise be written after all of discovery, or not at all)."""
    target = tmp_path / "a-directory"
    target.mkdir()
    _refused(cli("plan", "--subtree", ASSET, flag, str(target)), f"error: {target}: cannot write the", "Is a directory")


def test_an_out_path_under_a_file_is_refused(cli: Cli, tmp_path: Path) -> None:
    """--out whose parent is a file (it cannot be made a directory) is refused too."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    _refused(cli("plan", "--subtree", ASSET, "--out", str(blocker / "plan.json")), "is not a directory")


def test_an_inventory_path_that_is_a_directory_is_bad_input(cli: Cli, tmp_path: Path) -> None:
    """--inventory naming a directory."""
    _refused(cli("plan", "--subtree", ASSET, "--inventory", str(tmp_path)),
             f"error: {tmp_path}: cannot read the inventory file: Is a directory")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("[]", "expected a JSON object, not list"),
        ('"inventory"', "expected a JSON object, not str"),
        ('{"format": 2}', "missing key 'models'"),
        ('{"format": 2, "account": "1", "region": "r", "endpoint": null, "models": 5, "assets": [], '
         '"portals": [], "projects": [], "calls": {}, "complete": true, "tags_loaded": true}', "not a valid inventory"),
        ('{"format": 2, "account": "1", "region": "r", "endpoint": null, "models": [], "assets": [], '
         '"portals": [[1]], "projects": [], "calls": {}, "complete": true, "tags_loaded": true}',
         "not a valid inventory"),
        ('{"format": 1}', "unknown inventory format 1"),
    ],
    ids=("list", "string", "no-account", "models-not-a-list", "portal-not-an-object", "format"),
)
def test_an_inventory_of_the_wrong_shape_is_bad_input(cli: Cli, tmp_path: Path, content: str, reason: str) -> None:
    """A saved inventory that is not the object `--save-inventory` writes: it is named as not valid."""
    path = tmp_path / "inventory.json"
    path.write_text(content)
    _refused(cli("plan", "--subtree", ASSET, "--inventory", str(path)), f"error: {path}: not a valid inventory file",
             reason)


def test_an_inventory_that_is_not_utf8_is_bad_input(cli: Cli, tmp_path: Path) -> None:
    """Bytes that are not text."""
    path = tmp_path / "inventory.json"
    path.write_bytes(b"\xff\xfe{}")
    _refused(cli("plan", "--subtree", ASSET, "--inventory", str(path)), f"error: {path}: cannot read the inventory",
             "not UTF-8")


def test_a_reset_config_that_is_a_directory_is_bad_input(cli: Cli, tmp_path: Path) -> None:
    """reset --config naming a directory."""
    _refused(cli("reset", "--config", str(tmp_path)),
             f"error: {tmp_path}: cannot read the reset config: Is a directory")


def test_a_reset_config_that_is_not_utf8_is_bad_input(cli: Cli, tmp_path: Path) -> None:
    """A reset config in another encoding (here Latin-1) is named, with where the bytes stop being UTF-8."""
    path = tmp_path / "reset.toml"
    path.write_bytes('[guard]\naccount = "123456789012"\nregion = "eu-west-1"  # Zürich\n'.encode("latin-1"))
    _refused(cli("reset", "--config", str(path)), f"error: {path}: cannot read the reset config: not UTF-8 text")


def test_a_reset_whose_plans_dir_is_a_file_is_refused_before_the_guard(cli: Cli, tmp_path: Path) -> None:
    """The plan of a reset is written after discovery: a plans_dir that is a file is found out first."""
    blocker = tmp_path / "plans"
    blocker.write_text("")
    path = tmp_path / "reset.toml"
    path.write_text(f'[guard]\naccount = "123456789012"\nregion = "us-east-1"\n[select]\nall = true\n'
                    f'[apply]\nplans_dir = "{blocker}"\n')
    _refused(cli("reset", "--config", str(path)),
             f"error: {blocker}: cannot write the plans directory: not a directory")


def test_a_plan_that_cannot_be_written_is_bad_input_and_leaves_no_temporary_file(
    cli: Cli, tmp_path: Path, inventory_file: Path
) -> None:
    """The write itself fails (here its temporary file cannot be created, even as root): exit 2 naming the
    plan file, and no half-written file is left behind."""
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "site.plan.json.tmp").mkdir()  # in the way of the temporary file
    out = plans / "site.plan.json"
    _refused(cli("plan", "--subtree", ASSET, "--inventory", str(inventory_file), "--out", str(out)),
             f"error: {out}: cannot write the plan: ")
    assert sorted(p.name for p in plans.iterdir()) == ["site.plan.json.tmp"]


def test_a_read_only_plans_directory_is_refused_before_discovery(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default plans/ directory (or --out's) is read-only: refused before any call, not after discovery.
    (Root may write there anyway; as root, access() is made to answer as the permission bits do for others.)"""
    plans = tmp_path / "plans"
    plans.mkdir()
    plans.chmod(0o555)
    if os.geteuid() == 0:
        real_access = os.access

        def as_a_user(path: object, mode: int, **kwargs: object) -> bool:
            denied = Path(str(path)).resolve() == plans.resolve() and bool(mode & os.W_OK)
            return not denied and real_access(path, mode, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "access", as_a_user)
    monkeypatch.chdir(tmp_path)
    try:
        _refused(cli("plan", "--subtree", ASSET), "error: plans: cannot write the plans directory: plans: ",
                 "Permission denied")
        _refused(cli("plan", "--subtree", ASSET, "--out", str(plans / "p.json")), "Permission denied")
    finally:
        plans.chmod(0o755)


def test_apply_report_path_that_is_a_directory_is_refused_before_the_apply(cli: Cli, plan_file: Path,
                                                                            tmp_path: Path) -> None:
    """--report naming a directory: found out before the plan is applied, not once it has been."""
    _refused(cli("apply", str(plan_file), "--auto-approve", "--report", str(tmp_path)),
             f"error: {tmp_path}: cannot write the report: Is a directory")


def test_an_os_error_no_command_checked_still_ends_in_a_clear_error(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """The last resort in main(): an OSError that escaped every specific check prints `error: PATH: REASON`
    and exits 2."""

    def unlucky(args: object) -> int:
        raise PermissionError(13, "Permission denied", "/somewhere/file")

    monkeypatch.setattr(show_cmd, "run", unlucky)
    result = cli("show", "whatever.plan.json")
    assert (result.code, result.errors, result.clean) == (2, ["error: /somewhere/file: Permission denied"], True)


def test_a_plan_file_for_show_that_is_a_directory_is_bad_input(cli: Cli, tmp_path: Path) -> None:
    """show and apply read plans through one loader, which names the file."""
    _refused(cli("show", str(tmp_path)), f"error: {tmp_path}: cannot read plan")
    data = json.dumps([1])
    (tmp_path / "list.plan.json").write_text(data)
    _refused(cli("show", str(tmp_path / "list.plan.json")), "not a plan file")
