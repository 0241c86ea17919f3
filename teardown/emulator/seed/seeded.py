"""What seeding names and creates: deterministic ids and tokens (``WorldIds``), the created ids (``SeededWorld``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from teardown.emulator.seed.spec import WorldSpec

# Fixed forever: changing it changes every seeded id.
_ID_ROOT = uuid.UUID("6f1c1c52-6d3f-5a8e-9a57-5e1d0c2b7a11")


@dataclass(frozen=True)
class SeededWorld:
    """What was created, by logical name, for tests and demos to check against."""

    name: str
    models: dict[str, str]  # model key -> model id
    assets: dict[str, str]  # asset path -> asset id
    parents: dict[str, str]  # child asset id -> parent asset id
    hierarchies: dict[str, str] = field(default_factory=dict)  # "model key/hierarchy name" -> hierarchy id
    portals: dict[str, str] = field(default_factory=dict)
    projects: dict[str, str] = field(default_factory=dict)
    dashboards: dict[str, str] = field(default_factory=dict)
    access_policies: dict[str, str] = field(default_factory=dict)
    gateways: dict[str, str] = field(default_factory=dict)
    time_series: dict[str, str] = field(default_factory=dict)  # series key -> time series id
    project_assets: dict[str, tuple[str, ...]] = field(default_factory=dict)  # project id -> asset ids

    def counts(self) -> dict[str, int]:
        return {
            "models": len(self.models),
            "assets": len(self.assets),
            "associations": len(self.parents),
            "portals": len(self.portals),
            "projects": len(self.projects),
            "project_assets": sum(len(ids) for ids in self.project_assets.values()),
            "dashboards": len(self.dashboards),
            "access_policies": len(self.access_policies),
            "gateways": len(self.gateways),
            "time_series": len(self.time_series),
        }


class WorldIds:
    """Deterministic ids and client tokens: same world name, seed and logical name, same id."""

    def __init__(self, spec: WorldSpec) -> None:
        self.namespace = uuid.uuid5(_ID_ROOT, f"{spec.name}#{spec.seed}")

    def of(self, kind: str, logical: str) -> str:
        return str(uuid.uuid5(self.namespace, f"{kind}:{logical}"))

    def token(self, operation: str, logical: str) -> str:
        return self.of(f"token/{operation}", logical)

    def model(self, key: str) -> str:
        return self.of("model", key)

    def asset(self, path: str) -> str:
        return self.of("asset", path)
