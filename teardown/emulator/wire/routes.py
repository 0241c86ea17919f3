"""Routing: HTTP method + path -> operation name and URI labels, from the model's ``requestUri`` templates.

The host prefix (api./monitor./data.) is ignored: no method and path repeat across prefixes, so one
router serves all three.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from botocore.model import ServiceModel

_LABEL = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True)
class Route:
    operation: str
    method: str
    template: str
    pattern: re.Pattern[str]
    # More literal characters = more specific; tried first so "/assets/{id}/properties" beats a label.
    specificity: int


def _compile(template: str) -> tuple[re.Pattern[str], int]:
    path = template.split("?", 1)[0]
    parts: list[str] = []
    literal = 0
    pos = 0
    for match in _LABEL.finditer(path):
        text = path[pos : match.start()]
        parts.append(re.escape(text))
        literal += len(text)
        name = match.group(1)
        if name.endswith("+"):  # greedy label: may span slashes
            parts.append(f"(?P<{_group(name[:-1])}>.+)")
        else:
            parts.append(f"(?P<{_group(name)}>[^/]+)")
        pos = match.end()
    tail = path[pos:]
    literal += len(tail)
    # botocore sends the template's trailing slash as is; tolerate its absence or presence.
    parts.append(re.escape(tail.rstrip("/")))
    return re.compile("^" + "".join(parts) + "/?$"), literal


def _group(label: str) -> str:
    # Regex group names must be identifiers; labels in this model already are, but stay safe.
    return re.sub(r"\W", "_", label)


class Router:
    """Every operation of the model, matched by method and path."""

    def __init__(self, model: ServiceModel) -> None:
        routes: dict[str, list[Route]] = {}
        self._labels: dict[str, dict[str, str]] = {}
        for name in model.operation_names:
            http = model.operation_model(name).http
            template = http["requestUri"]
            pattern, specificity = _compile(template)
            route = Route(name, http["method"].upper(), template, pattern, specificity)
            routes.setdefault(route.method, []).append(route)
            self._labels[name] = {_group(label.rstrip("+")): label.rstrip("+") for label in _LABEL.findall(template)}
        self._routes = {method: sorted(items, key=lambda r: -r.specificity) for method, items in routes.items()}

    def match(self, method: str, path: str) -> tuple[str, dict[str, str]] | None:
        """The operation and its decoded URI labels, or None when no template matches."""
        for route in self._routes.get(method.upper(), ()):
            found = route.pattern.match(path)
            if found is not None:
                names = self._labels[route.operation]
                return route.operation, {names[g]: unquote(v) for g, v in found.groupdict().items()}
        return None

    def methods_for(self, path: str) -> list[str]:
        """Methods that would match this path (to say "wrong method" instead of "no such path")."""
        return sorted(m for m, rs in self._routes.items() if any(r.pattern.match(path) for r in rs))
