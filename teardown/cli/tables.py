"""The end-of-run table of an apply, as text (the apply, reset and demo commands print it)."""

from __future__ import annotations

from teardown.applying.report import ApplyReport, Outcome

_OUTCOME_COLUMNS = tuple(Outcome)


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
    calls = sum(report.calls.values())
    retries = sum(report.retries.values())
    out.append("")
    out.append(f"{calls} requests, {retries} retries, {sum(report.throttles.values())} throttled, "
               f"{report.duration:.1f}s with {report.workers} workers")
    causes = report.root_causes()
    if causes:
        out.append("")
        out.append("failed (root causes; everything skipped depends on one of these):")
        out.extend(f"  {a.id} {a.label or a.target}: {a.error}" for a in causes)
    if report.interrupted:
        out.append("")
        out.append("interrupted: run the same apply again to resume")
    return "\n".join(out)
