"""sitewise-teardown: dependency-aware bulk teardown for AWS IoT SiteWise.

The public API is small: ``plan`` and ``apply`` (the CLI's two halves), ``render`` for review, the
``Plan`` and ``ApplyReport`` they return, ``SelectionSpec``, and the error tree. Everything else is
internal and may change.
"""

from __future__ import annotations

__version__ = "0.1.0"

from teardown._api import apply, plan  # after __version__, which the plan module reads
from teardown.errors import (
    BadInputError,
    PlanFileError,
    PlanRefused,
    SelectionRefused,
    TeardownError,
    UnknownResourceError,
)
from teardown.plan import Plan, load_plan
from teardown.render import render
from teardown.report import ApplyReport
from teardown.select import SelectionSpec

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
