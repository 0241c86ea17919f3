"""Latency distributions (lognormal, long tail) and the ``production`` profile, seeded so a run replays;
FAILED deletes and updates reporting their error as the service model shapes it."""

from __future__ import annotations

import json
import random
import statistics
import urllib.request
from typing import TYPE_CHECKING, Any

import botocore.session
import pytest
from botocore.model import ServiceModel, StructureShape

from teardown.emulator import DetailedError, FailureDetails, FaultSettings, LatencyProfile, LogNormal, LongTail
from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock
from teardown.emulator.server import serve
from teardown.emulator.service.failures import DETAILED_ERROR_CODES, ERROR_CODES, MONITOR_ERROR_CODES

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

ROLE = "arn:aws:iam::123456789012:role/portal"


def test_lognormal_has_its_median_and_p99() -> None:
    """Draws of LogNormal(median=3, p99=180) have about that median and 99th percentile."""
    spread = LogNormal(median=3.0, p99=180.0)
    rng = random.Random(1)
    draws = sorted(spread.draw(rng) for _ in range(20_000))
    assert statistics.median(draws) == pytest.approx(3.0, rel=0.1)
    assert draws[int(0.99 * len(draws))] == pytest.approx(180.0, rel=0.2)
    capped = LogNormal(median=3.0, p99=180.0, cap=60.0)
    assert max(capped.draw(rng) for _ in range(2_000)) == 60.0


def test_long_tail_takes_the_tail_for_its_fraction() -> None:
    """LongTail(typical=2, tail=600, fraction=0.05) takes 600 s for about 5% of transitions, 2 s otherwise."""
    spread = LongTail(typical=2.0, tail=600.0, fraction=0.05)
    rng = random.Random(2)
    draws = [spread.draw(rng) for _ in range(10_000)]
    assert set(draws) == {2.0, 600.0}
    assert draws.count(600.0) / len(draws) == pytest.approx(0.05, abs=0.01)


def test_distributions_are_checked() -> None:
    """A median above the p99, a negative tail or a fraction above 1 is a ValueError."""
    with pytest.raises(ValueError, match="median"):
        LogNormal(median=10.0, p99=5.0)
    with pytest.raises(ValueError, match="long tail"):
        LongTail(typical=1.0, tail=-1.0, fraction=0.1)
    with pytest.raises(ValueError, match="long tail"):
        LongTail(typical=1.0, tail=60.0, fraction=1.5)


def test_realistic_stays_as_it_was() -> None:
    """The demo's timing depends on ``realistic``: its constants and jitter do not change."""
    assert LatencyProfile.named("realistic") == LatencyProfile(
        create=1.5, update=1.0, delete_asset=2.5, delete_model=4.0, propagate=2.0,
        portal_create=5.0, portal_delete=5.0, jitter=0.1,
    )


def _vanishing(clock: ManualClock, assets: int) -> tuple[list[int], float]:
    """Delete ``assets`` assets under the production profile; how many remain after 10 s, 60 s and 15 min,
    and the time the last one went."""
    backend = SiteWiseBackend(clock=clock, latency="production")
    model = backend.handle("CreateAssetModel", {"assetModelName": "m"})["assetModelId"]
    clock.advance(300)
    ids = [backend.handle("CreateAsset", {"assetName": f"a{i}", "assetModelId": model})["assetId"]
           for i in range(assets)]
    clock.advance(300)
    start = clock.now()
    for asset in ids:
        backend.handle("DeleteAsset", {"assetId": asset})
    remaining, last = [], 0.0
    for mark in (10.0, 60.0, 900.0):
        while clock.now() - start < mark:
            clock.advance(1.0)
            if backend.snapshot()["assets"]:
                last = clock.now() - start
        remaining.append(len(backend.snapshot()["assets"]))
    return remaining, last


def test_production_deletes_take_seconds_for_most_and_minutes_for_a_few() -> None:
    """Under ``production`` most of 300 asset deletes finish within 10 s, a few are still DELETING after a
    minute, none after 15 min; the same seed replays the same timings."""
    remaining, last = _vanishing(ManualClock(), 300)
    after_10s, after_1min, after_15min = remaining
    assert after_10s < 300 * 0.4
    assert 0 < after_1min < 300 * 0.1
    assert after_15min == 0
    assert last > 60
    assert _vanishing(ManualClock(), 300) == (remaining, last)


@pytest.mark.http
def test_latency_distributions_through_the_control_api(backend: SiteWiseBackend) -> None:
    """POST /_emulator/settings takes a profile name (production) or per-kind distributions; GET shows them."""
    with serve(backend) as server:

        def post(body: object) -> dict[str, Any]:
            request = urllib.request.Request(
                f"{server.url}/_emulator/settings", data=json.dumps(body).encode(), method="POST"
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                answer: dict[str, Any] = json.loads(response.read())
                return answer

        assert post({"latency": "production"})["latency_profile"] == "production"
        assert backend.latency == LatencyProfile.production()
        settings = post({"latency": {"delete_asset": {"median": 3, "p99": 180},
                                     "delete_model": {"typical": 4, "tail": 600, "fraction": 0.02}, "create": 1}})
        assert settings["latency_profile"] == "custom"
        assert settings["latency"]["delete_asset"] == {"median": 3.0, "p99": 180.0, "cap": None}
        assert backend.latency.delete_model == LongTail(typical=4.0, tail=600.0, fraction=0.02)
        assert backend.latency.create == 1.0


# ---- FAILED resources and their error ------------------------------------------------------------------


def _members(model: ServiceModel, name: str) -> list[str]:
    shape = model.shape_for(name)
    assert isinstance(shape, StructureShape)
    return list(shape.members)


def test_failure_enums_match_the_service_model() -> None:
    """The codes a FAILED status may report are the model's ErrorCode, MonitorErrorCode, DetailedErrorCode."""
    model = botocore.session.get_session().get_service_model("iotsitewise")
    assert set(ERROR_CODES) == set(model.shape_for("ErrorCode").metadata["enum"])
    assert set(MONITOR_ERROR_CODES) == set(model.shape_for("MonitorErrorCode").metadata["enum"])
    assert set(DETAILED_ERROR_CODES) == set(model.shape_for("DetailedErrorCode").metadata["enum"])
    assert set(_members(model, "ErrorDetails")) == {"code", "message", "details"}
    assert set(_members(model, "MonitorErrorDetails")) == {"code", "message"}


def test_failed_delete_reports_its_error_details(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """A delete that ends FAILED reports {code, message, details: [{code, message}]} in the asset's status."""
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    asset = sitewise.create_asset(assetName="a", assetModelId=model)["assetId"]
    detail = DetailedError(code="INCOMPATIBLE_FORWARDING_CONFIGURATION", message="forwarding is still on")
    backend.faults = FaultSettings(
        fail_delete_ids=frozenset({asset}),
        fail_delete_error=FailureDetails(code="VALIDATION_ERROR", message="cannot delete", details=(detail,)),
    )
    sitewise.delete_asset(assetId=asset)
    status = sitewise.describe_asset(assetId=asset)["assetStatus"]
    assert status == {
        "state": "FAILED",
        "error": {
            "code": "VALIDATION_ERROR",
            "message": "cannot delete",
            "details": [{"code": "INCOMPATIBLE_FORWARDING_CONFIGURATION", "message": "forwarding is still on"}],
        },
    }


def test_failed_update_ends_failed_and_accepts_a_delete(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend
) -> None:
    """An asset model in fail_update_ids goes UPDATING then FAILED, with the default error naming it; it
    refuses another update and accepts a delete."""
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    sitewise.describe_asset_model(assetModelId=model)
    backend.faults = FaultSettings(fail_update_ids=frozenset({model}))
    assert sitewise.update_asset_model(assetModelId=model, assetModelName="m2")["assetModelStatus"]["state"] == (
        "UPDATING"
    )
    status = sitewise.describe_asset_model(assetModelId=model)["assetModelStatus"]
    assert status["state"] == "FAILED"
    assert status["error"]["code"] == "INTERNAL_FAILURE"
    assert model in status["error"]["message"] and "update" in status["error"]["message"]
    with pytest.raises(sitewise.exceptions.InvalidRequestException):
        sitewise.update_asset_model(assetModelId=model, assetModelName="m3")
    sitewise.delete_asset_model(assetModelId=model)
    assert sitewise.list_asset_models()["assetModelSummaries"] == []


def test_failed_update_rate_is_seeded_and_filtered(clock: ManualClock) -> None:
    """fail_update_rate=1 with operations={"UpdateAsset"} fails asset updates and nothing else."""
    faults = FaultSettings(fail_update_rate=1.0, operations=frozenset({"UpdateAsset"}))
    backend = SiteWiseBackend(clock=clock, faults=faults)
    model = backend.handle("CreateAssetModel", {"assetModelName": "m"})["assetModelId"]
    backend.handle("UpdateAssetModel", {"assetModelId": model, "assetModelName": "m2"})
    asset = backend.handle("CreateAsset", {"assetName": "a", "assetModelId": model})["assetId"]
    backend.handle("UpdateAsset", {"assetId": asset, "assetName": "b"})
    states = {row["id"]: row["state"] for key in ("assets", "assetModels") for row in backend.snapshot()[key]}
    assert states == {model: "ACTIVE", asset: "FAILED"}


def test_failed_portal_delete_has_no_details(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """A portal's error is MonitorErrorDetails: code and message, never details."""
    portal = sitewise.create_portal(portalName="p", portalContactEmail="ops@example.com", roleArn=ROLE)["portalId"]
    sitewise.list_portals()
    detail = {"code": "INCOMPATIBLE_COMPUTE_LOCATION", "message": "x"}
    backend.faults = FaultSettings(fail_delete_rate=1.0, fail_delete_error={"details": [detail]})  # type: ignore[arg-type]
    sitewise.delete_portal(portalId=portal)
    status = sitewise.describe_portal(portalId=portal)["portalStatus"]
    assert status["state"] == "FAILED"
    assert set(status["error"]) == {"code", "message"}


def test_bad_failure_details_are_refused() -> None:
    """Codes outside the model's enums are a ValueError."""
    with pytest.raises(ValueError, match="error code"):
        FailureDetails(code="DISK_ON_FIRE")
    with pytest.raises(ValueError, match="detailed error code"):
        FailureDetails(details=(DetailedError(code="OOPS", message="x"),))
    with pytest.raises(ValueError, match="exactly"):
        FaultSettings(fail_update_error={"details": [{"code": "INCOMPATIBLE_COMPUTE_LOCATION"}]})  # type: ignore[arg-type]
