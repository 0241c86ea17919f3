"""`sitewise-teardown show PLAN`: markdown that fits a pull request comment, and the digest alone for scripts.

Plans are made from hand-built inventories (tests/support/inventories.py): no client, milliseconds.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from teardown.cli import main
from teardown.inventory.selectors import SelectionSpec
from teardown.planning.make import make_plan
from teardown.planning.planfile import Plan, write_plan
from teardown.planning.render import MARKDOWN_LIMIT, SUMMARY_ROWS, render_markdown
from tests.support.inventories import InventoryBuilder, windfarm
from tests.support.planfiles import edit_plan_file

SITES = SUMMARY_ROWS + 20
TURBINES = 30


@pytest.fixture(scope="module")
def big_plan() -> Plan:
    """60 sites of 30 turbines each under a kept enterprise (1,860 assets, every site its own deleted subtree), a
    project holding some, and a spare model: far past a comment's size as a full listing."""
    b = InventoryBuilder()
    b.model("m-turbine").model("m-site", children={"turbines": "m-turbine"})
    b.model("m-enterprise", children={"sites": "m-site"}).model("m-spare")
    b.asset("a-ent", "m-enterprise")
    for s in range(SITES):
        b.asset(f"a-site-{s:02d}", "m-site", parent="a-ent", name=f"site-{s:02d}")
        for t in range(TURBINES - s % 3):  # subtrees of different sizes: the largest are listed first
            b.asset(f"a-t-{s:02d}-{t:02d}", "m-turbine", parent=f"a-site-{s:02d}")
    b.project("p-ops", [f"a-site-{s:02d}" for s in range(5)])
    sites = tuple(f"a-site-{s:02d}" for s in range(SITES))
    plan, _ = make_plan(b.inventory, SelectionSpec(subtrees=sites, asset_models=("m-spare",)))
    return plan


def _subtree_rows(markdown: str) -> list[list[str]]:
    section = markdown.split("### Actions by subtree and kind", 1)[1].split("\n\n###", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| subtree")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def test_a_small_plan_is_shown_in_full(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Under the limit, markdown lists every action and does not summarise."""
    plan, _ = make_plan(windfarm(), SelectionSpec(subtrees=("a-site-1",)))
    path = write_plan(plan, tmp_path / "p.plan.json")
    assert main(["show", str(path), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert f"<summary>All {len(plan.actions)} actions, in order</summary>" in out
    assert "Summarised" not in out


def test_past_the_limit_markdown_summarises_by_subtree_and_kind_and_says_where_the_full_plan_is(
    big_plan: Plan, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A plan too long for a comment: under the limit, the counts, one row per subtree (the largest first, the
    rest merged into one row) with its actions per kind, a row for what is under no subtree, and the place given
    by --full-plan. The rows add up to the plan's counts."""
    assert len(render_markdown(big_plan, max_chars=10**9)) > MARKDOWN_LIMIT
    path = write_plan(big_plan, tmp_path / "big.plan.json")
    where = "the `sitewise-plan-12` artifact of [this run](https://ci.example/runs/7)"
    assert main(["show", str(path), "--format", "markdown", "--full-plan", where]) == 0
    out = capsys.readouterr().out
    assert len(out) <= MARKDOWN_LIMIT
    assert f"the full plan ({len(big_plan.actions):,} actions)" in out and f"Every action is in {where}." in out
    assert "<details>" not in out
    selection = next(line for line in out.splitlines() if line.startswith("- **Selection:**"))
    assert len(selection) < 1100 and selection.endswith("... (the full plan lists them all)`")

    rows = _subtree_rows(out)
    assert len(rows) == SUMMARY_ROWS + 2  # the largest subtrees, "... and N more", under no subtree
    assert rows[0][0] == "site-00" and rows[0][2] == str(1 + TURBINES)
    assert rows[-2][0] == f"... and {SITES - SUMMARY_ROWS} more subtrees"
    assert rows[-1][0] == "(under no deleted subtree)"
    header = next(line for line in out.splitlines() if line.startswith("| subtree root"))
    columns = [c.strip() for c in header.strip("|").split("|")]
    totals = {title: sum(int(row[columns.index(title)] or 0) for row in rows) for title in columns[3:]}
    counts = dict(re.findall(r"^\| ([a-z ]+) \| (\d+) \|$", out, re.MULTILINE))
    assert totals == {title: int(counts[title]) for title in columns[3:]}
    assert totals["delete asset models"] == 1 and totals["unlink assets from projects"] == 1
    assert int(rows[-1][columns.index("delete assets")]) == 0


def test_a_tighter_limit_lists_fewer_rows_until_it_fits(big_plan: Plan) -> None:
    """--max-chars below the default summary's length: fewer rows per list, still under the limit."""
    default = render_markdown(big_plan)
    limit = len(default) * 3 // 4
    tight = render_markdown(big_plan, max_chars=limit)
    assert len(tight) <= limit
    assert len(_subtree_rows(tight)) < len(_subtree_rows(default))
    assert "more subtrees" in tight


def test_digest_format_prints_the_verified_digest_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--format digest prints the digest and a newline (for apply --expect-digest); an edited plan is refused (2)."""
    plan, _ = make_plan(windfarm(), SelectionSpec(subtrees=("a-site-1",)))
    path = write_plan(plan, tmp_path / "p.plan.json")
    assert main(["show", str(path), "--format", "digest"]) == 0
    assert capsys.readouterr().out == plan.digest + "\n"
    edit_plan_file(path, lambda d: d.update(region="eu-west-1"))
    assert main(["show", str(path), "--format", "digest"]) == 2
    assert "digest mismatch" in capsys.readouterr().err
