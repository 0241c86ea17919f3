"""Plan -> text, markdown, json, dot, mermaid, digest. Pure functions returning strings; the CLI prints them.

Graph formats draw every action for small plans; past ``MAX_DRAWN`` actions they collapse to a summary
graph (one node per action kind and asset model, with counts), which stays readable at 100k actions.
Markdown is a pull request comment: past ``MARKDOWN_LIMIT`` characters it summarises by subtree and kind
and says where the full plan is, so it always fits the comment.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import KINDS, ActionKind
from teardown.planning.actions import Action
from teardown.planning.groups import OUTSIDE, by_subtree
from teardown.planning.planfile import Plan

MAX_DRAWN = 150
SHOWN_SERIES = 10
# GitHub refuses a comment body over 65,536 characters; this leaves room for what a workflow wraps around it.
MARKDOWN_LIMIT = 60_000
SUMMARY_ROWS = 40  # rows per list in a summarised markdown plan, before "... and N more"
SHOWN_FLAGS = 1_000  # characters of the selection flags a summarised markdown plan shows
FORMATS = ("text", "json", "markdown", "dot", "mermaid", "digest")


def render(plan: Plan, fmt: str, *, limit: int | None = None, max_chars: int = MARKDOWN_LIMIT,
           full_plan: str | None = None) -> str:
    """``fmt`` is one of ``FORMATS``; ``limit`` caps the actions text lists; ``max_chars`` and ``full_plan``
    are markdown's size limit and where its summary says the full plan is."""
    renderers: dict[str, Callable[[Plan], str]] = {
        "text": lambda p: render_text(p, limit=limit),
        "json": render_json,
        "markdown": lambda p: render_markdown(p, max_chars=max_chars, full_plan=full_plan),
        "dot": render_dot,
        "mermaid": render_mermaid,
        "digest": lambda p: p.digest + "\n",
    }
    return renderers[fmt](plan)


def selection_flags(selection: Mapping[str, Any]) -> str:
    return " ".join(SelectionSpec.from_json(selection).flags()) or "(none)"


def kind_counts(plan: Plan) -> list[tuple[str, int]]:
    counts = Counter(a.kind for a in plan.actions)
    return [(spec.title, counts.get(kind, 0)) for kind, spec in KINDS.items()
            if spec.always_counted or counts.get(kind)]


def render_text(plan: Plan, *, limit: int | None = None) -> str:
    s = plan.summary
    lines = [
        f"Plan {plan.digest}",
        f"  account {plan.account}, region {plan.region}" + (f", endpoint {plan.endpoint}" if plan.endpoint else ""),
        f"  selection: {selection_flags(plan.selection)}",
        f"  made {plan.created_at} by sitewise-teardown {plan.tool_version}",
        "",
    ]
    if plan.is_empty:
        lines.append("Nothing to do: the selection matches no resources.")
        return "\n".join(lines) + "\n"
    lines.append(f"{len(plan.actions)} actions:")
    width = max(len(title) for title, _ in kind_counts(plan))
    lines.extend(f"  {title:<{width}}  {count:>7}" for title, count in kind_counts(plan))
    if s.get("roots"):
        lines += ["", "Deleted subtrees (root: assets under it, root included):"]
        lines.extend(f"  {r['name']} ({r['id']}): {r['assets']}" for r in s["roots"])
    if s.get("models"):
        lines += ["", "Deleted asset models:"]
        lines.extend(f"  {m['name']} ({m['id']})" for m in s["models"])
    if s.get("monitor"):
        lines += ["", "Deleted Monitor resources (with their dashboards and access policies):"]
        lines.extend(f"  {m['kind']} {m['name']} ({m['id']})" for m in s["monitor"])
    if s.get("kept_modified"):
        lines += ["", "Kept but modified:"]
        lines.extend(f"  {k['name']} ({k['id']}): {k['change']}" for k in s["kept_modified"])
    for title, _column, items, _warns in edge_sections(s):
        lines += ["", f"{title}:"]
        lines.extend(f"  {line}" for line in items[:SHOWN_SERIES])
        if len(items) > SHOWN_SERIES:
            lines.append(f"  ... and {len(items) - SHOWN_SERIES} more (--format json lists them all)")
    calls = s.get("discovery_calls", {})
    if calls:
        lines += ["", f"Discovery spent {sum(calls.values())} calls: "
                  + ", ".join(f"{op} {n}" for op, n in calls.items())]
    shown = plan.actions if limit is None else plan.actions[:limit]
    lines += ["", "Actions, in order:"]
    lines.extend(f"  {i:>5}. {a.label or a.id}" for i, a in enumerate(shown, 1))
    if len(shown) < len(plan.actions):
        lines.append(f"  ... and {len(plan.actions) - len(shown)} more (sitewise-teardown show PLAN)")
    return "\n".join(lines) + "\n"


def series_lines(summary: Mapping[str, Any]) -> list[str]:
    """``asset: series`` for every series deleted with its asset (a property named where keeping was asked for
    and the series has no alias)."""
    unkeepable = {u["series"]: u["property"] for u in summary.get("time_series_unkeepable", ())}
    return [f"{entry['name']}: {unkeepable.get(series, series)}" for entry in summary.get("time_series_deleted", ())
            for series in entry["series"]]


def deleted_series_title(summary: Mapping[str, Any], count: int) -> str:
    why = ("these have no alias, so --keep-time-series cannot keep them; --allow-data-loss lets them go"
           if summary.get("time_series_unkeepable") else "SiteWise deletes the series bound to a deleted asset")
    return f"Deleted with their assets: {count} time series and their data ({why})"


class Section(NamedTuple):
    """A titled list of a plan's summary; ``column`` heads it in a table; ``warns`` marks data that goes."""

    title: str
    column: str
    items: list[str]
    warns: bool = False


def edge_sections(summary: Mapping[str, Any]) -> list[Section]:
    """The lists after the kept-but-modified one, each non-empty: series deleted with their assets, series kept
    as alias-only streams, alias-only series and gateways deleted. Every renderer shows these."""
    series = series_lines(summary)
    kept = summary.get("time_series_kept", ())
    alias_only = summary.get("time_series", ())
    gateways = summary.get("gateways", ())
    sections = [
        Section(deleted_series_title(summary, len(series)), "asset: series", series, warns=True),
        Section(f"Kept: {len(kept)} time series and their history, disassociated before their asset is deleted "
                "(they stay as alias-only streams)", "asset: alias", [f"{k['name']}: {k['alias']}" for k in kept]),
        Section(f"Deleted: {len(alias_only)} alias-only time series (bound to no asset) and their data", "alias",
                [str(t["alias"]) for t in alias_only]),
        Section(f"Deleted: {len(gateways)} gateway(s), with their capability configurations", "gateway",
                [f"{g['name']} ({g['id']})" for g in gateways]),
    ]
    return [section for section in sections if section.items]


def render_json(plan: Plan) -> str:
    return json.dumps(plan.to_json(), indent=2, ensure_ascii=False) + "\n"


def render_markdown(plan: Plan, *, max_chars: int = MARKDOWN_LIMIT, full_plan: str | None = None) -> str:
    """The plan as a pull request comment: every action when it fits in ``max_chars`` characters, else a
    summary by subtree and kind that says where the full plan is (``full_plan``, e.g. a link to the
    artifact; by default the ``show`` command). The summary halves its lists until it fits; its fixed part
    (the header and the counts, about 2,000 characters) is never cut."""
    full = _markdown_full(plan)
    if len(full) <= max_chars:
        return full
    rows = SUMMARY_ROWS
    while True:
        summary = _markdown_summary(plan, rows=rows, full_chars=len(full), max_chars=max_chars, full_plan=full_plan)
        if len(summary) <= max_chars or rows == 0:
            return summary
        rows //= 2


def _markdown_head(plan: Plan, *, summarised: bool = False) -> list[str]:
    flags = selection_flags(plan.selection)
    if summarised and len(flags) > SHOWN_FLAGS:  # ten thousand --subtree flags would not fit either
        flags = flags[:SHOWN_FLAGS].rsplit(" --", 1)[0] + " ... (the full plan lists them all)"
    return [
        "## SiteWise teardown plan",
        "",
        f"- **Digest:** `{plan.digest}`",
        f"- **Account / region:** `{plan.account}` / `{plan.region}`",
        f"- **Selection:** `{flags}`",
        f"- **Made:** {plan.created_at} with sitewise-teardown {plan.tool_version}",
        "",
    ]


def _markdown_full(plan: Plan) -> str:
    s = plan.summary
    out = _markdown_head(plan)
    if plan.is_empty:
        return "\n".join([*out, "Nothing to do: the selection matches no resources.", ""])
    out += ["| action | count |", "|---|---:|"]
    out += [f"| {title} | {count} |" for title, count in kind_counts(plan)]
    if s.get("roots"):
        out += ["", "### Deleted subtrees", "", "| root | id | assets |", "|---|---|---:|"]
        out += [f"| {_md(r['name'])} | `{r['id']}` | {r['assets']} |" for r in s["roots"]]
    if s.get("models"):
        out += ["", "### Deleted asset models", ""]
        out += [f"- {_md(m['name'])} (`{m['id']}`)" for m in s["models"]]
    if s.get("monitor"):
        out += ["", "### Deleted Monitor resources (with their dashboards and access policies)", ""]
        out += [f"- {m['kind']} {_md(m['name'])} (`{m['id']}`)" for m in s["monitor"]]
    if s.get("kept_modified"):
        out += ["", "### Kept but modified", ""]
        out += [f"- {_md(k['name'])} (`{k['id']}`): {k['change']}" for k in s["kept_modified"]]
    for title, _column, items, _warns in edge_sections(s):
        out += ["", f"### {_md(title)}", ""]
        out += [f"- {_md(line)}" for line in items]
    out += ["", f"<details><summary>All {len(plan.actions)} actions, in order</summary>", ""]
    out += [f"{i}. {_md(a.label or a.id)} — `{a.id}`" for i, a in enumerate(plan.actions, 1)]
    out += ["", "</details>", ""]
    return "\n".join(out)


def _markdown_summary(plan: Plan, *, rows: int, full_chars: int, max_chars: int, full_plan: str | None) -> str:
    """Counts, then actions per subtree and kind (the largest subtrees first), then capped lists."""
    s = plan.summary
    where = full_plan or "the plan file (`sitewise-teardown show PLAN` lists every action)"
    out = _markdown_head(plan, summarised=True)
    out += [
        f"> **Summarised:** the full plan ({len(plan.actions):,} actions) renders to {full_chars:,} characters, "
        f"over this comment's limit of {max_chars:,}. Every action is in {where}.",
        "",
        "| action | count |", "|---|---:|",
    ]
    out += [f"| {title} | {count} |" for title, count in kind_counts(plan)]

    groups = by_subtree(plan)
    kinds = [kind for kind in KINDS if any(kind in c for c in groups.values())]
    roots = {r["id"]: r for r in s.get("roots", ())}
    ranked = sorted((rid for rid in groups if rid != OUTSIDE),
                    key=lambda rid: (-sum(groups[rid].values()), roots[rid]["name"], rid))
    out += ["", "### Actions by subtree and kind", "",
            "| subtree root | id | assets | " + " | ".join(KINDS[k].title for k in kinds) + " |",
            "|---|---|---:|" + "---:|" * len(kinds)]
    for rid in ranked[:rows]:
        out.append(f"| {_md(roots[rid]['name'])} | `{rid}` | {roots[rid]['assets']} | "
                   + " | ".join(str(groups[rid].get(k, 0)) for k in kinds) + " |")
    rest = ranked[rows:]
    if rest:
        merged: Counter[ActionKind] = sum((groups[rid] for rid in rest), Counter())
        out.append(f"| ... and {len(rest)} more subtrees | | {sum(roots[rid]['assets'] for rid in rest)} | "
                   + " | ".join(str(merged.get(k, 0)) for k in kinds) + " |")
    if OUTSIDE in groups:
        out.append("| (under no deleted subtree) | | | "
                   + " | ".join(str(groups[OUTSIDE].get(k, 0)) for k in kinds) + " |")

    def capped(title: str, items: list[str]) -> None:
        if not items:
            return
        out.extend(["", f"### {title} ({len(items)})", ""])
        out.extend(items[:rows])
        if len(items) > rows:
            out.append(f"- ... and {len(items) - rows} more, in the full plan")

    capped("Deleted asset models", [f"- {_md(m['name'])} (`{m['id']}`)" for m in s.get("models", ())])
    capped("Deleted Monitor resources (with their dashboards and access policies)",
           [f"- {m['kind']} {_md(m['name'])} (`{m['id']}`)" for m in s.get("monitor", ())])
    capped("Kept but modified", [f"- {_md(k['name'])} (`{k['id']}`): {k['change']}"
                                 for k in s.get("kept_modified", ())])
    for title, _column, items, _warns in edge_sections(s):
        capped(_md(title), [f"- {_md(line)}" for line in items])
    out.append("")
    return "\n".join(out)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;")


# -- graphs ------------------------------------------------------------------------------------------

Node = tuple[str, str]  # (node id, label)
Edges = set[tuple[str, str]]


def _graph_parts(plan: Plan) -> tuple[list[Node], Edges, Edges, bool]:
    """Nodes, dependency edges, ordering-only edges (drawn dashed), and whether the graph is collapsed."""
    if len(plan.actions) <= MAX_DRAWN:
        ids = {a.id: f"n{i}" for i, a in enumerate(plan.actions)}
        nodes = [(ids[a.id], a.label or a.id) for a in plan.actions]
        edges = {(ids[d], ids[a.id]) for a in plan.actions for d in a.depends_on}
        order = {(ids[d], ids[a.id]) for a in plan.actions for d in a.after}
        return nodes, edges, order, False
    nodes, edges = _summary_graph(plan)
    return nodes, edges, set(), True


def _group(action: Action) -> str:
    scope = action.model_id or (action.target if action.kind is ActionKind.DELETE_ASSET_MODEL else "")
    return f"{action.kind.value}:{scope}" if scope else action.kind.value


def _summary_graph(plan: Plan) -> tuple[list[Node], set[tuple[str, str]]]:
    groups: dict[str, list[Action]] = defaultdict(list)
    group_of: dict[str, str] = {}
    for action in plan.actions:
        key = _group(action)
        groups[key].append(action)
        group_of[action.id] = key
    ids = {key: f"g{i}" for i, key in enumerate(groups)}
    nodes = [(ids[key], _group_label(members)) for key, members in groups.items()]
    edges = {
        (ids[group_of[d]], ids[group_of[a.id]])
        for a in plan.actions for d in (*a.depends_on, *a.after) if group_of[d] != group_of[a.id]
    }
    return nodes, edges


def _group_label(members: list[Action]) -> str:
    first = members[0]
    title = first.kind.spec.title
    if first.kind is ActionKind.DELETE_ASSET_MODEL:
        return first.label
    suffix = f" (model {first.model_id})" if first.model_id else ""
    return f"{title}{suffix}: {len(members)}"


def _sorted(edges: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(edges, key=lambda e: (int(e[0][1:]), int(e[1][1:])))


def render_dot(plan: Plan) -> str:
    nodes, edges, order, collapsed = _graph_parts(plan)
    title = f"plan {plan.digest[:19]}" + (" (summary)" if collapsed else "")
    out = ["digraph plan {", f'  label="{title}";', "  rankdir=LR;", "  node [shape=box, fontsize=10];"]
    out += [f'  {nid} [label="{_dot(label)}"];' for nid, label in nodes]
    out += [f"  {u} -> {v};" for u, v in _sorted(edges)]
    out += [f"  {u} -> {v} [style=dashed];" for u, v in _sorted(order)]
    out.append("}")
    return "\n".join(out) + "\n"


def _dot(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def render_mermaid(plan: Plan) -> str:
    nodes, edges, order, collapsed = _graph_parts(plan)
    out = ["flowchart LR"]
    if collapsed:
        out.append(f"  %% summary graph: {len(plan.actions)} actions collapsed by kind and model")
    out += [f'  {nid}["{_mermaid(label)}"]' for nid, label in nodes]
    out += [f"  {u} --> {v}" for u, v in _sorted(edges)]
    out += [f"  {u} -.-> {v}" for u, v in _sorted(order)]
    return "\n".join(out) + "\n"


def _mermaid(text: str) -> str:
    return text.replace('"', "#quot;")
