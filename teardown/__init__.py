"""sitewise-teardown: dependency-aware bulk teardown for AWS IoT SiteWise.

The public API is small: ``plan`` and ``apply`` (the CLI's two halves), ``render`` for review, the
``Plan`` and ``ApplyReport`` they return, ``SelectionSpec``, and the error tree. Everything else is
internal and may change. The stages live in subpackages that read like the flow: ``aws`` (targets, the
request path, discovery), ``inventory`` (records, selection), ``planning`` (graph, plan file, renderers),
``applying`` (walk, execute, observe, journal, report), ``workflows`` (demo, reset) and ``cli``.
"""

from __future__ import annotations

from teardown._api import apply, plan
from teardown._version import __version__
from teardown.applying.report import ApplyReport
from teardown.errors import (
    BadInputError,
    PlanFileError,
    PlanRefused,
    SelectionRefused,
    TeardownError,
    UnknownResourceError,
)
from teardown.inventory.selectors import SelectionSpec
from teardown.planning.planfile import Plan, load_plan
from teardown.planning.render import render

__all__ = [
    "ApplyReport",
    "BadInputError",
    "Plan",
    "PlanFileError",
    "PlanRefused",
    "SelectionRefused",
    "SelectionSpec",
    "TeardownError",
    "UnknownResourceError",
    "__version__",
    "apply",
    "load_plan",
    "plan",
    "render",
]
