"""Property values through a real boto3 client: writes by asset property or alias, per-entry errors, latest
values and history, the batch reads, and what happens to the data when its asset is deleted."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from teardown.emulator.clock import ManualClock

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

TEMP: Any = {"name": "temp", "dataType": "DOUBLE", "type": {"measurement": {}}}
SERIAL: Any = {"name": "serial", "dataType": "STRING", "type": {"attribute": {"defaultValue": "S-1"}}}
DOUBLED: Any = {
    "name": "doubled",
    "dataType": "DOUBLE",
    "type": {"transform": {"expression": "2 * t", "variables": [{"name": "t", "value": {"propertyId": "temp"}}]}},
}
MISSING = "99999999-9999-4999-8999-999999999999"


def code_of(call: Any, **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    error = caught.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]


def tqv(at: float, value: Any = 1.0, quality: str = "GOOD") -> Any:
    key = {float: "doubleValue", int: "integerValue", str: "stringValue", bool: "booleanValue"}[type(value)]
    return {"value": {key: value}, "timestamp": {"timeInSeconds": int(at), "offsetInNanos": 0}, "quality": quality}


@pytest.fixture
def asset(sitewise: IoTSiteWiseClient) -> dict[str, str]:
    model = sitewise.create_asset_model(assetModelName="m", assetModelProperties=[TEMP, SERIAL])["assetModelId"]
    props = {p["name"]: p["id"] for p in sitewise.describe_asset_model(assetModelId=model)["assetModelProperties"]}
    asset_id = sitewise.create_asset(assetName="a", assetModelId=model)["assetId"]
    return {"id": asset_id, "model": model, **props}


def put(sitewise: IoTSiteWiseClient, *entries: Any, partial: bool = False) -> list[Any]:
    answer = sitewise.batch_put_asset_property_value(entries=list(entries), enablePartialEntryProcessing=partial)
    return list(answer["errorEntries"])


def history(sitewise: IoTSiteWiseClient, **kwargs: Any) -> list[float]:
    rows = sitewise.get_asset_property_value_history(**kwargs)["assetPropertyValueHistory"]
    return [r["value"]["doubleValue"] for r in rows]


def test_write_by_asset_property_and_read_back(
    sitewise: IoTSiteWiseClient, asset: dict[str, str], clock: ManualClock
) -> None:
    """Values written by asset property read back as latest (the newest timestamp, not the last written) and
    as history; the property gets its series (bound, without alias), and a duplicate timestamp overwrites."""
    now = clock.now()
    errors = put(
        sitewise,
        {"entryId": "1", "assetId": asset["id"], "propertyId": asset["temp"], "propertyValues": [tqv(now, 2.0)]},
        {"entryId": "2", "assetId": asset["id"], "propertyId": asset["temp"], "propertyValues": [tqv(now - 60, 1.0)]},
    )
    assert errors == []
    latest = sitewise.get_asset_property_value(assetId=asset["id"], propertyId=asset["temp"])["propertyValue"]
    assert latest["value"] == {"doubleValue": 2.0} and latest["timestamp"]["timeInSeconds"] == int(now)
    assert history(sitewise, assetId=asset["id"], propertyId=asset["temp"]) == [1.0, 2.0]
    series = sitewise.describe_time_series(assetId=asset["id"], propertyId=asset["temp"])
    assert "alias" not in series and series["dataType"] == "DOUBLE"
    put(
        sitewise,
        {"entryId": "3", "assetId": asset["id"], "propertyId": asset["temp"], "propertyValues": [tqv(now, 5.0)]},
    )
    assert history(sitewise, assetId=asset["id"], propertyId=asset["temp"]) == [1.0, 5.0]


def test_write_by_alias_reaches_the_bound_property(
    sitewise: IoTSiteWiseClient, asset: dict[str, str], clock: ManualClock
) -> None:
    """A value written to a property's alias is read by asset property, and the other way round."""
    sitewise.update_asset_property(assetId=asset["id"], propertyId=asset["temp"], propertyAlias="/t")
    put(sitewise, {"entryId": "1", "propertyAlias": "/t", "propertyValues": [tqv(clock.now(), 7.0)]})
    got = sitewise.get_asset_property_value(assetId=asset["id"], propertyId=asset["temp"])
    assert got["propertyValue"]["value"] == {"doubleValue": 7.0}
    assert sitewise.get_asset_property_value(propertyAlias="/t")["propertyValue"]["value"] == {"doubleValue": 7.0}


def test_write_to_unknown_alias_creates_a_disassociated_series(
    sitewise: IoTSiteWiseClient, asset: dict[str, str], clock: ManualClock
) -> None:
    """As the service does: the alias gets a DISASSOCIATED series of the first value's type, readable by alias,
    that AssociateTimeSeriesToAssetProperty can later bind (its history then reads by asset property)."""
    put(sitewise, {"entryId": "1", "propertyAlias": "/orphan", "propertyValues": [tqv(clock.now(), 3.0)]})
    listed = sitewise.list_time_series(timeSeriesType="DISASSOCIATED")["TimeSeriesSummaries"]
    assert [(s["alias"], s["dataType"]) for s in listed] == [("/orphan", "DOUBLE")]
    assert history(sitewise, propertyAlias="/orphan") == [3.0]
    sitewise.associate_time_series_to_asset_property(alias="/orphan", assetId=asset["id"], propertyId=asset["temp"])
    assert history(sitewise, assetId=asset["id"], propertyId=asset["temp"]) == [3.0]


def test_per_entry_errors_leave_other_entries_stored(
    sitewise: IoTSiteWiseClient, asset: dict[str, str], clock: ManualClock
) -> None:
    """Each failing entry is in errorEntries (200) with its code and timestamps: unknown asset, a computed
    (transform) property, a value of the wrong type, a timestamp over 7 days old; good entries are stored.
    Without partial processing one bad value fails its whole entry; with it, the entry's good values stay."""
    now = clock.now()
    computed = sitewise.create_asset_model(assetModelName="c", assetModelProperties=[TEMP, DOUBLED])["assetModelId"]
    calc = {p["name"]: p["id"] for p in sitewise.describe_asset_model(assetModelId=computed)["assetModelProperties"]}
    calc_asset = sitewise.create_asset(assetName="c", assetModelId=computed)["assetId"]
    errors = put(
        sitewise,
        {"entryId": "ok", "assetId": asset["id"], "propertyId": asset["temp"], "propertyValues": [tqv(now, 1.0)]},
        {"entryId": "gone", "assetId": MISSING, "propertyId": asset["temp"], "propertyValues": [tqv(now)]},
        {"entryId": "calc", "assetId": calc_asset, "propertyId": calc["doubled"], "propertyValues": [tqv(now)]},
        {"entryId": "type", "assetId": asset["id"], "propertyId": asset["temp"], "propertyValues": [tqv(now, "x")]},
        {
            "entryId": "old",
            "assetId": asset["id"],
            "propertyId": asset["temp"],
            "propertyValues": [tqv(now - 8 * 86400, 9.0), tqv(now - 10, 4.0)],
        },
    )
    codes = {e["entryId"]: [(x["errorCode"], len(x["timestamps"])) for x in e["errors"]] for e in errors}
    assert codes == {
        "gone": [("ResourceNotFoundException", 1)],
        "calc": [("InvalidRequestException", 1)],
        "type": [("InvalidRequestException", 1)],
        "old": [("TimestampOutOfRangeException", 1)],
    }
    assert history(sitewise, assetId=asset["id"], propertyId=asset["temp"]) == [1.0]
    errors = put(
        sitewise,
        {
            "entryId": "old",
            "assetId": asset["id"],
            "propertyId": asset["temp"],
            "propertyValues": [tqv(now - 8 * 86400, 9.0), tqv(now - 10, 4.0)],
        },
        partial=True,
    )
    assert [e["entryId"] for e in errors] == ["old"]
    assert history(sitewise, assetId=asset["id"], propertyId=asset["temp"]) == [4.0, 1.0]


def test_attribute_reads_its_default_then_its_written_value(
    sitewise: IoTSiteWiseClient, asset: dict[str, str], clock: ManualClock
) -> None:
    """An attribute's latest value is its model default until a value is written; then the written one."""
    got = sitewise.get_asset_property_value(assetId=asset["id"], propertyId=asset["serial"])["propertyValue"]
    assert got["value"] == {"stringValue": "S-1"}
    put(
        sitewise,
        {
            "entryId": "1",
            "assetId": asset["id"],
            "propertyId": asset["serial"],
            "propertyValues": [tqv(clock.now(), "S-2")],
        },
    )
    got = sitewise.get_asset_property_value(assetId=asset["id"], propertyId=asset["serial"])["propertyValue"]
    assert got["value"] == {"stringValue": "S-2"}


def test_reads_that_name_nothing(sitewise: IoTSiteWiseClient, asset: dict[str, str]) -> None:
    """A measurement with no data has no latest value and an empty history; an unknown alias is 404, a read
    naming an asset without a property is 400."""
    assert "propertyValue" not in sitewise.get_asset_property_value(assetId=asset["id"], propertyId=asset["temp"])
    assert history(sitewise, assetId=asset["id"], propertyId=asset["temp"]) == []
    assert code_of(sitewise.get_asset_property_value, propertyAlias="/none") == ("ResourceNotFoundException", 404)
    assert code_of(sitewise.get_asset_property_value, assetId=asset["id"]) == ("InvalidRequestException", 400)


def test_history_range_ordering_quality_and_pages(
    sitewise: IoTSiteWiseClient, asset: dict[str, str], clock: ManualClock
) -> None:
    """Inclusive time range, DESCENDING order, the qualities filter, and pages that chain with nothing twice;
    a start after the end is refused."""
    now = int(clock.now())
    points = [tqv(now - 100 + i * 10, float(i), "BAD" if i == 3 else "GOOD") for i in range(10)]
    put(sitewise, {"entryId": "1", "assetId": asset["id"], "propertyId": asset["temp"], "propertyValues": points})
    ref: Any = {"assetId": asset["id"], "propertyId": asset["temp"]}
    start, end = datetime.fromtimestamp(now - 80, UTC), datetime.fromtimestamp(now - 40, UTC)
    assert history(sitewise, **ref, startDate=start, endDate=end) == [2.0, 3.0, 4.0, 5.0, 6.0]
    assert history(sitewise, **ref, startDate=start, endDate=end, timeOrdering="DESCENDING") == [
        6.0,
        5.0,
        4.0,
        3.0,
        2.0,
    ]
    assert history(sitewise, **ref, qualities=["BAD"]) == [3.0]
    seen: list[float] = []
    token: str | None = None
    while True:
        more: Any = {"nextToken": token} if token else {}
        page = sitewise.get_asset_property_value_history(**ref, maxResults=4, timeOrdering="DESCENDING", **more)
        seen += [r["value"]["doubleValue"] for r in page["assetPropertyValueHistory"]]
        token = page.get("nextToken")
        if token is None:
            break
    assert seen == [float(i) for i in reversed(range(10))]
    assert code_of(sitewise.get_asset_property_value_history, **ref, startDate=end, endDate=start) == (
        "InvalidRequestException",
        400,
    )


def test_batch_get_latest_success_and_error_entries(
    sitewise: IoTSiteWiseClient, asset: dict[str, str], clock: ManualClock
) -> None:
    """Found entries succeed (one without data has no value), unknown ones are error entries with their code,
    and a repeated entry id is refused."""
    sitewise.update_asset_property(assetId=asset["id"], propertyId=asset["temp"], propertyAlias="/t")
    put(sitewise, {"entryId": "1", "propertyAlias": "/t", "propertyValues": [tqv(clock.now(), 8.0)]})
    got = sitewise.batch_get_asset_property_value(
        entries=[
            {"entryId": "a", "propertyAlias": "/t"},
            {"entryId": "b", "assetId": asset["id"], "propertyId": asset["serial"]},
            {"entryId": "c", "propertyAlias": "/nope"},
            {"entryId": "d", "assetId": MISSING, "propertyId": asset["temp"]},
        ]
    )
    success = {e["entryId"]: e.get("assetPropertyValue", {}).get("value") for e in got["successEntries"]}
    assert success == {"a": {"doubleValue": 8.0}, "b": {"stringValue": "S-1"}}
    assert {e["entryId"]: e["errorCode"] for e in got["errorEntries"]} == {
        "c": "ResourceNotFoundException",
        "d": "ResourceNotFoundException",
    }
    assert got["skippedEntries"] == []
    assert code_of(
        sitewise.batch_get_asset_property_value,
        entries=[{"entryId": "a", "propertyAlias": "/t"}, {"entryId": "a", "propertyAlias": "/t"}],
    ) == ("InvalidRequestException", 400)


def test_batch_get_history_pages_across_entries(
    sitewise: IoTSiteWiseClient, asset: dict[str, str], clock: ManualClock
) -> None:
    """maxResults counts points across entries; an entry is answered on the page holding its points, errors
    on the first page; on later pages completed entries are skipped with their completion status."""
    now = int(clock.now())
    put(
        sitewise,
        {"entryId": "1", "propertyAlias": "/x", "propertyValues": [tqv(now - 3, 1.0), tqv(now - 2, 2.0)]},
        {"entryId": "2", "propertyAlias": "/y", "propertyValues": [tqv(now - 3, 3.0), tqv(now - 2, 4.0)]},
    )
    entries: Any = [
        {"entryId": "x", "propertyAlias": "/x"},
        {"entryId": "bad", "propertyAlias": "/nope"},
        {"entryId": "y", "propertyAlias": "/y"},
    ]
    first = sitewise.batch_get_asset_property_value_history(entries=entries, maxResults=3)
    assert {
        e["entryId"]: [v["value"]["doubleValue"] for v in e["assetPropertyValueHistory"]]
        for e in first["successEntries"]
    } == {"x": [1.0, 2.0], "y": [3.0]}
    assert [e["entryId"] for e in first["errorEntries"]] == ["bad"] and first["skippedEntries"] == []
    second = sitewise.batch_get_asset_property_value_history(
        entries=entries, maxResults=3, nextToken=first["nextToken"]
    )
    assert {
        e["entryId"]: [v["value"]["doubleValue"] for v in e["assetPropertyValueHistory"]]
        for e in second["successEntries"]
    } == {"y": [4.0]}
    assert {e["entryId"]: e["completionStatus"] for e in second["skippedEntries"]} == {"x": "SUCCESS", "bad": "ERROR"}
    assert "nextToken" not in second


def test_deleting_the_asset_deletes_its_bound_series_and_history(
    sitewise: IoTSiteWiseClient, asset: dict[str, str], clock: ManualClock
) -> None:
    """What happens to my data: values written to a bound series are gone with the asset; the alias reads
    nothing (404) and no series is left."""
    sitewise.update_asset_property(assetId=asset["id"], propertyId=asset["temp"], propertyAlias="/t")
    put(sitewise, {"entryId": "1", "propertyAlias": "/t", "propertyValues": [tqv(clock.now(), 1.0)]})
    sitewise.delete_asset(assetId=asset["id"])
    clock.advance(1.0)
    assert code_of(sitewise.get_asset_property_value_history, propertyAlias="/t") == ("ResourceNotFoundException", 404)
    assert sitewise.list_time_series()["TimeSeriesSummaries"] == []
    put(sitewise, {"entryId": "1", "propertyAlias": "/t", "propertyValues": [tqv(clock.now(), 2.0)]})
    assert history(sitewise, propertyAlias="/t") == [2.0]  # a new, disassociated series: the old data is not back


def test_a_series_disassociated_first_keeps_its_history(
    sitewise: IoTSiteWiseClient, asset: dict[str, str], clock: ManualClock
) -> None:
    """What happens to my data: disassociate the series, delete the asset, and the history still reads by
    alias, its series DISASSOCIATED."""
    sitewise.update_asset_property(assetId=asset["id"], propertyId=asset["temp"], propertyAlias="/keep")
    put(
        sitewise,
        {
            "entryId": "1",
            "propertyAlias": "/keep",
            "propertyValues": [tqv(clock.now() - 5, 1.0), tqv(clock.now(), 2.0)],
        },
    )
    sitewise.disassociate_time_series_from_asset_property(alias="/keep", assetId=asset["id"], propertyId=asset["temp"])
    sitewise.delete_asset(assetId=asset["id"])
    clock.advance(1.0)
    assert code_of(sitewise.describe_asset, assetId=asset["id"]) == ("ResourceNotFoundException", 404)
    assert history(sitewise, propertyAlias="/keep") == [1.0, 2.0]
    assert sitewise.get_asset_property_value(propertyAlias="/keep")["propertyValue"]["value"] == {"doubleValue": 2.0}
    assert "assetId" not in sitewise.describe_time_series(alias="/keep")
