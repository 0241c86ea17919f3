"""The tables a person reads: a plan's summary and an apply's end-of-run report.

Each comes twice: as plain text (``format_summary``; a plan's is ``teardown.planning.render.render_text``),
which is what logs, files and pipes get, byte for byte as before; and as rich renderables
(``report_view``, ``plan_view``) for a terminal. Both read the same data; neither computes anything.
"""

from __future__ import annotations

from collections import Counter

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from teardown.applying.report import ApplyReport, Outcome
from teardown.cli.terminal import ERROR_STYLE, WARNING_STYLE
from teardown.kinds import KINDS, ActionKind
from teardown.planning.planfile import Plan
from teardown.planning.render import SHOWN_SERIES, edge_sections, kind_counts, selection_flags

_OUTCOME_COLUMNS = tuple(Outcome)
_OUTCOME_STYLE = {Outcome.FAILED: ERROR_STYLE, Outcome.SKIPPED: WARNING_STYLE, Outcome.NOT_STARTED: WARNING_STYLE}


def format_summary(report: ApplyReport) -> str:
    """The end-of-run table: one row per action kind, one column per outcome, then root causes."""
    counts = report.counts()
    headers = ["action", *[o.value for o in _OUTCOME_COLUMNS], "total"]
    rows = [
        [kind, *[str(c.get(o.value, 0)) for o in _OUTCOME_COLUMNS], str(sum(c.values()))]
        for kind, c in counts.items()
    ]
    totals = report.totals()
    rows.append(["total", *[str(totals.get(o.value, 0)) for o in _OUTCOME_COLUMNS], str(len(report.actions))])
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        padded = (c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))
        return "  ".join(padded)

    out = [line(headers), "  ".join("-" * w for w in widths), *[line(r) for r in rows]]
    out.append("")
    out.append(_requests_line(report))
    causes = report.root_causes()
    if causes:
        out.append("")
        out.append("failed (root causes; everything skipped depends on one of these):")
        out.extend(f"  {a.id} {a.label or a.target}: {a.error}" for a in causes)
    if report.interrupted:
        out.append("")
        out.append("interrupted: run the same apply again to resume")
    return "\n".join(out)


def _requests_line(report: ApplyReport) -> str:
    # Slots grow past --workers where a family's rate times its answer time needs more: say where they did.
    grown = ", ".join(f"{family} up to {n}" for family, n in sorted(report.in_flight.items()) if n > report.workers)
    return (f"{sum(report.calls.values())} requests, {sum(report.retries.values())} retries, "
            f"{sum(report.throttles.values())} throttled, {report.duration:.1f}s with {report.workers} request slots "
            "per quota family" + (f" ({grown})" if grown else ""))


def _title(kind: str) -> str:
    try:
        return KINDS[ActionKind(kind)].title
    except ValueError:
        return kind


def report_view(report: ApplyReport) -> RenderableType:
    """The end-of-run report for a terminal: the same rows and facts as ``format_summary``."""
    table = Table(box=box.SIMPLE_HEAD, show_footer=True, show_edge=False, pad_edge=False)
    totals = report.totals()
    table.add_column("action", footer="total")
    for outcome in _OUTCOME_COLUMNS:
        n = totals.get(outcome.value, 0)
        table.add_column(outcome.value.replace("_", " "), justify="right",
                         footer=Text(str(n), style=_OUTCOME_STYLE.get(outcome, "") if n else ""))
    table.add_column("total", justify="right", footer=str(len(report.actions)))
    for kind, c in report.counts().items():
        cells = [Text(str(c.get(o.value, 0)), style=_OUTCOME_STYLE.get(o, "") if c.get(o.value) else "dim")
                 for o in _OUTCOME_COLUMNS]
        table.add_row(_title(kind), *cells, str(sum(c.values())))
    parts: list[RenderableType] = [table, Text(""), Text(_requests_line(report))]
    causes = report.root_causes()
    if causes:
        parts.append(Text("\nfailed (root causes; everything skipped depends on one of these):", style=ERROR_STYLE))
        parts.extend(Text(f"  {a.id} {a.label or a.target}: {a.error}", style="red") for a in causes)
    if report.interrupted:
        parts.append(Text("\ninterrupted: run the same apply again to resume", style=WARNING_STYLE))
    return Group(*parts)


def plan_view(plan: Plan, *, limit: int | None = None) -> RenderableType:
    """A plan's summary for a terminal: the facts of ``render_text``, as tables."""
    s = plan.summary
    head = Table.grid(padding=(0, 2))
    head.add_row(Text("Plan", style="bold"), Text(plan.digest, style="bold cyan"))
    head.add_row("account", f"{plan.account}, region {plan.region}"
                 + (f", endpoint {plan.endpoint}" if plan.endpoint else ""))
    head.add_row("selection", selection_flags(plan.selection))
    head.add_row("made", f"{plan.created_at} by sitewise-teardown {plan.tool_version}")
    parts: list[RenderableType] = [head]
    if plan.is_empty:
        parts.append(Text("Nothing to do: the selection matches no resources.", style="bold"))
        return _spaced(parts)

    counts = _table(f"{len(plan.actions)} actions", ("action", ""), ("count", "right"))
    for title, count in kind_counts(plan):
        counts.add_row(title, Text(str(count), style="" if count else "dim"))
    parts.append(counts)
    if s.get("roots"):
        roots = _table("Deleted subtrees", ("root", ""), ("id", ""), ("assets", "right"))
        for r in s["roots"]:
            roots.add_row(r["name"], r["id"], str(r["assets"]))
        parts.append(roots)
    if s.get("models"):
        models = _table("Deleted asset models", ("model", ""), ("id", ""))
        for m in s["models"]:
            models.add_row(m["name"], m["id"])
        parts.append(models)
    if s.get("monitor"):
        monitor = _table("Deleted Monitor resources (with their dashboards and access policies)",
                         ("kind", ""), ("name", ""), ("id", ""))
        for m in s["monitor"]:
            monitor.add_row(m["kind"], m["name"], m["id"])
        parts.append(monitor)
    if s.get("kept_modified"):
        kept = _table("Kept but modified", ("resource", ""), ("id", ""), ("change", ""), style=WARNING_STYLE)
        for k in s["kept_modified"]:
            kept.add_row(k["name"], k["id"], k["change"])
        parts.append(kept)
    for title, column, items, warns in edge_sections(s):
        listed = _table(title, (column, ""), style=WARNING_STYLE if warns else "")
        for line in items[:SHOWN_SERIES]:
            listed.add_row(line)
        if len(items) > SHOWN_SERIES:
            listed.add_row(Text(f"... and {len(items) - SHOWN_SERIES} more (--format json lists them all)",
                                style="dim"))
        parts.append(listed)
    calls = s.get("discovery_calls", {})
    if calls:
        parts.append(Text(f"Discovery spent {sum(calls.values())} calls: "
                          + ", ".join(f"{op} {n}" for op, n in calls.items()), style="dim"))
    shown = plan.actions if limit is None else plan.actions[:limit]
    order = _table("Actions, in order", ("#", "right"), ("action", ""), ("kind", ""))
    for i, a in enumerate(shown, 1):
        order.add_row(str(i), a.label or a.id, Text(KINDS[a.kind].short, style="dim"))
    if len(shown) < len(plan.actions):
        left = Counter(a.kind for a in plan.actions[len(shown):])
        more = ", ".join(f"{n} {KINDS[k].short}" for k, n in left.items())
        order.add_row("", Text(f"... and {len(plan.actions) - len(shown)} more ({more}): "
                               "sitewise-teardown show PLAN", style="dim"), "")
    parts.append(order)
    return _spaced(parts)


def _spaced(parts: list[RenderableType]) -> Group:
    """The sections with a blank line between them, as in the plain text."""
    spaced: list[RenderableType] = []
    for part in parts:
        spaced += [part, Text("")]
    return Group(*spaced)


def _table(title: str, *columns: tuple[str, str], style: str = "") -> Table:
    table = Table(title=title, title_justify="left", title_style=f"bold {style}".strip(), box=box.SIMPLE_HEAD,
                  show_edge=False,
                  pad_edge=False)
    for name, justify in columns:
        table.add_column(name, justify="right" if justify == "right" else "left", overflow="fold")
    return table
