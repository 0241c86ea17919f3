"""sitewise-teardown: dependency-aware bulk teardown for AWS IoT SiteWise."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
