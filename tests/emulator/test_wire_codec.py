"""The wire codec on raw HTTP requests: routing, parsing by location, validation, serialization, errors.

A small fake backend records what the codec hands over, so these tests pin the wire format alone."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.model import ServiceModel

from teardown.emulator.errors import ConflictingOperation, NotImplementedByEmulator
from teardown.emulator.wire.codec import Emulator, HttpResponse, service_model
from teardown.emulator.wire.routes import Router

UUID = "11111111-2222-4333-8444-555555555555"
MODEL_ID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
ETAG = "E" * 43  # If-Match must be 43 word characters or dashes, as the model's pattern says
HOST = "https://api.iotsitewise.us-east-1.amazonaws.com"


class FakeBackend:
    """Records what the codec hands over and answers canned outputs."""

    def __init__(self, served: set[str] | None = None, answers: dict[str, dict[str, Any]] | None = None) -> None:
        self.served = frozenset(served if served is not None else service_model().operation_names)
        self.answers = answers or {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.refused: list[str] = []
        # The (account, region) each handled or refused call was for; None parts: the default world.
        self.worlds: list[tuple[str | None, str | None]] = []
        self.raise_next: Exception | None = None

    def served_operations(self) -> frozenset[str]:
        return self.served

    def count_refused(self, operation: str, *, account: str | None = None, region: str | None = None) -> None:
        self.refused.append(operation)
        self.worlds.append((account, region))

    def handle(
        self, operation: str, params: dict[str, Any], *, account: str | None = None, region: str | None = None
    ) -> dict[str, Any]:
        self.calls.append((operation, params))
        self.worlds.append((account, region))
        if operation not in self.served:
            raise NotImplementedByEmulator(f"{operation} not served by the fake")
        if self.raise_next is not None:
            error, self.raise_next = self.raise_next, None
            raise error
        return self.answers.get(operation, {})


def send(
    emulator: Emulator, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> HttpResponse:
    raw = body if isinstance(body, bytes) else (b"" if body is None else json.dumps(body).encode())
    return emulator.dispatch(method, HOST + path, headers or {}, raw)


def error_of(response: HttpResponse) -> tuple[int, str, str]:
    document = json.loads(response.body)
    return response.status, response.headers["X-Amzn-ErrorType"], document["message"]


@pytest.fixture
def fake() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
def emulator(fake: FakeBackend) -> Emulator:
    return Emulator(fake)


def _filled(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "x1", template.split("?", maxsplit=1)[0])


def test_every_operation_of_the_model_routes_back_to_itself(emulator: Emulator) -> None:
    """Each operation's own method and path template, labels filled in, routes to that operation."""
    model = service_model()
    misrouted = {}
    for name in model.operation_names:
        http = model.operation_model(name).http
        routed = emulator.operation_for(http["method"], HOST + _filled(http["requestUri"]))
        if routed != name:
            misrouted[name] = routed
    assert misrouted == {}
    assert len(model.operation_names) >= 104


@pytest.mark.parametrize(
    "host",
    [
        "https://api.iotsitewise.us-east-1.amazonaws.com",
        "https://monitor.iotsitewise.us-east-1.amazonaws.com",
        "https://iotsitewise.us-east-1.amazonaws.com",
        "http://127.0.0.1:5000",
    ],
)
def test_host_and_host_prefix_are_ignored(emulator: Emulator, fake: FakeBackend, host: str) -> None:
    """The same method and path reach the same operation whatever the host prefix or host."""
    response = emulator.dispatch("GET", f"{host}/portals/{UUID}", {}, b"")
    assert response.status == 200
    assert fake.calls == [("DescribePortal", {"portalId": UUID})]


def test_percent_encoded_labels_are_decoded(emulator: Emulator, fake: FakeBackend) -> None:
    """An external-id reference travels percent-encoded in the path and reaches the backend decoded."""
    response = send(emulator, "GET", "/assets/externalId%3Aturbine-1")
    assert response.status == 200
    assert fake.calls == [("DescribeAsset", {"assetId": "externalId:turbine-1"})]


def test_greedy_labels_span_slashes() -> None:
    """A `{key+}` label matches several path segments; literal routes win over labels."""
    model = ServiceModel(
        {
            "metadata": {"protocol": "rest-json", "apiVersion": "1", "endpointPrefix": "x"},
            "operations": {
                "GetObject": {"name": "GetObject", "http": {"method": "GET", "requestUri": "/things/{key+}"}},
                "GetIndex": {"name": "GetIndex", "http": {"method": "GET", "requestUri": "/things/index"}},
            },
            "shapes": {},
        }
    )
    router = Router(model)
    assert router.match("GET", "/things/a/b/c") == ("GetObject", {"key": "a/b/c"})
    assert router.match("GET", "/things/index") == ("GetIndex", {})
    assert router.match("POST", "/things/a") is None


def test_unknown_path_is_a_clear_404(emulator: Emulator, fake: FakeBackend) -> None:
    """No operation has this path: 404 UnknownOperationException naming the request, backend untouched."""
    status, code, message = error_of(send(emulator, "GET", "/no-such-thing"))
    assert (status, code) == (404, "UnknownOperationException")
    assert "GET /no-such-thing" in message
    assert fake.calls == []


def test_wrong_method_names_the_methods_the_path_takes(emulator: Emulator) -> None:
    """PATCH on an asset path is no operation; the message lists the methods that path accepts."""
    status, code, message = error_of(send(emulator, "PATCH", f"/assets/{UUID}"))
    assert (status, code) == (404, "UnknownOperationException")
    assert "DELETE, GET, PUT" in message


def test_unserved_operation_answers_501_before_validation() -> None:
    """An operation the backend does not serve is 501 NotImplementedByEmulator even with a bad body."""
    fake = FakeBackend(served={"DescribeAsset"})
    status, code, message = error_of(send(Emulator(fake), "POST", "/workspaces", b"{not json"))
    assert (status, code) == (501, "NotImplementedByEmulator")
    assert "CreateWorkspace" in message
    assert fake.calls == []


@pytest.mark.parametrize("body", [b"{", b"{'single': 'quotes'}", b"\xff\xfe", b"[1, 2]", b'"text"', b"null"])
def test_malformed_or_non_object_json_is_400(emulator: Emulator, fake: FakeBackend, body: bytes) -> None:
    """A body that is not a JSON object is InvalidRequestException (400), never a 500."""
    status, code, _ = error_of(send(emulator, "POST", "/assets", body))
    assert (status, code) == (400, "InvalidRequestException")
    assert fake.calls == []


def test_wrong_type_names_the_member(emulator: Emulator, fake: FakeBackend) -> None:
    """A number where the model says string: 400 naming the member."""
    status, code, message = error_of(send(emulator, "POST", "/assets", {"assetName": 5, "assetModelId": MODEL_ID}))
    assert (status, code) == (400, "InvalidRequestException")
    assert "at 'assetName'" in message and "must be a string" in message
    assert fake.calls == []


@pytest.mark.parametrize(
    ("name", "constraint"), [("x" * 257, "less than or equal to 256"), ("", "greater than or equal to 1")]
)
def test_string_length_limits(emulator: Emulator, name: str, constraint: str) -> None:
    """assetName is 1..256 characters; both limits answer 400 naming the member and the limit."""
    status, code, message = error_of(send(emulator, "POST", "/assets", {"assetName": name, "assetModelId": MODEL_ID}))
    assert (status, code) == (400, "InvalidRequestException")
    assert "'assetName'" in message and constraint in message


def test_bad_id_in_path_fails_the_pattern(emulator: Emulator, fake: FakeBackend) -> None:
    """An asset id that is neither a UUID nor externalId:X is refused by the model's pattern."""
    status, code, message = error_of(send(emulator, "GET", "/assets/not-a-uuid"))
    assert (status, code) == (400, "InvalidRequestException")
    assert "'assetId'" in message and "regular expression pattern" in message
    assert fake.calls == []


def test_bad_enum_value_lists_the_allowed_values(emulator: Emulator) -> None:
    """ListAssets filter must be ALL or TOP_LEVEL."""
    status, code, message = error_of(send(emulator, "GET", "/assets?filter=EVERYTHING"))
    assert (status, code) == (400, "InvalidRequestException")
    assert "'filter'" in message and "[ALL, TOP_LEVEL]" in message


def test_missing_required_members_are_all_reported(emulator: Emulator) -> None:
    """CreateAsset without assetName and assetModelId: both are named in one message."""
    status, code, message = error_of(send(emulator, "POST", "/assets", {}))
    assert (status, code) == (400, "InvalidRequestException")
    assert message.startswith("2 validation errors detected")
    assert "'assetName'" in message and "'assetModelId'" in message


@pytest.mark.parametrize(
    ("value", "problem"),
    [("0", "greater than or equal to 1"), ("251", "less than or equal to 250"), ("ten", "must be an integer")],
)
def test_max_results_out_of_range_or_not_a_number(emulator: Emulator, value: str, problem: str) -> None:
    """maxResults is an integer from 1 to 250."""
    status, code, message = error_of(send(emulator, "GET", f"/asset-models?maxResults={value}"))
    assert (status, code) == (400, "InvalidRequestException")
    assert "'maxResults'" in message and problem in message


def test_max_results_at_the_limit_passes_as_an_int(emulator: Emulator, fake: FakeBackend) -> None:
    """250 is allowed and reaches the backend as an int, not a string."""
    assert send(emulator, "GET", "/asset-models?maxResults=250").status == 200
    assert fake.calls == [("ListAssetModels", {"maxResults": 250})]


def test_nested_members_are_validated_with_their_path(emulator: Emulator) -> None:
    """A property definition without dataType is named by its position in the list."""
    body = {"assetModelName": "m", "assetModelProperties": [{"name": "p", "type": {"attribute": {}}}]}
    status, _, message = error_of(send(emulator, "POST", "/asset-models", body))
    assert status == 400
    assert "'assetModelProperties.1.dataType'" in message


def test_unknown_body_members_are_tolerated_and_dropped(emulator: Emulator, fake: FakeBackend) -> None:
    """A member the model does not know is ignored, as a newer client's extra field would be."""
    body = {"assetName": "a", "assetModelId": MODEL_ID, "clientToken": "t" * 36, "futureField": 1}
    assert send(emulator, "POST", "/assets", body).status == 202
    assert fake.calls == [("CreateAsset", {"assetName": "a", "assetModelId": MODEL_ID, "clientToken": "t" * 36})]


def test_query_lists_booleans_and_timestamps_are_typed(emulator: Emulator, fake: FakeBackend) -> None:
    """Repeated query keys become a list; true/false a bool; ISO timestamps an aware datetime."""
    send(emulator, "GET", "/asset-models?assetModelTypes=ASSET_MODEL&assetModelTypes=INTERFACE")
    send(emulator, "GET", f"/assets/{UUID}?excludeProperties=true")
    send(emulator, "GET", "/properties/history?propertyAlias=%2Fa&startDate=2024-01-02T03%3A04%3A05Z")
    assert fake.calls[0] == ("ListAssetModels", {"assetModelTypes": ["ASSET_MODEL", "INTERFACE"]})
    assert fake.calls[1] == ("DescribeAsset", {"assetId": UUID, "excludeProperties": True})
    assert fake.calls[2][1]["startDate"] == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_bad_boolean_in_query_is_400(emulator: Emulator) -> None:
    """excludeProperties=yes is not a boolean."""
    status, _, message = error_of(send(emulator, "GET", f"/assets/{UUID}?excludeProperties=yes"))
    assert status == 400 and "'excludeProperties'" in message


def test_header_members_are_read_from_headers(emulator: Emulator, fake: FakeBackend) -> None:
    """DeleteAssetModel's ifMatch arrives in the If-Match header (and is held to its 43-character pattern)."""
    response = send(emulator, "DELETE", f"/asset-models/{MODEL_ID}?clientToken={'c' * 36}", headers={"If-Match": ETAG})
    assert response.status == 202
    assert fake.calls == [("DeleteAssetModel", {"assetModelId": MODEL_ID, "clientToken": "c" * 36, "ifMatch": ETAG})]


def test_header_members_are_validated_too(emulator: Emulator, fake: FakeBackend) -> None:
    """An If-Match that is not a 43-character ETag is refused before the backend sees it."""
    path = f"/asset-models/{MODEL_ID}?clientToken={'c' * 36}"
    status, code, message = error_of(send(emulator, "DELETE", path, headers={"If-Match": "etag-1"}))
    assert (status, code) == (400, "InvalidRequestException")
    assert "'ifMatch'" in message
    assert fake.calls == []


def test_output_headers_status_and_timestamps() -> None:
    """eTag goes to the ETag header (not the body), None is skipped, timestamps stay epoch seconds."""
    answer = {
        "assetModelId": MODEL_ID,
        "assetModelName": "m",
        "assetModelCreationDate": datetime(2024, 1, 1, tzinfo=UTC),
        "assetModelLastUpdateDate": 1_700_000_000.5,
        "assetModelDescription": None,
        "eTag": "etag-7",
        "privateNote": "never on the wire",
    }
    emulator = Emulator(FakeBackend(answers={"DescribeAssetModel": answer}))
    response = send(emulator, "GET", f"/asset-models/{MODEL_ID}")
    document = json.loads(response.body)
    assert response.status == 200
    assert response.headers["ETag"] == "etag-7"
    assert "eTag" not in document and "privateNote" not in document and "assetModelDescription" not in document
    assert document["assetModelCreationDate"] == datetime(2024, 1, 1, tzinfo=UTC).timestamp()
    assert document["assetModelLastUpdateDate"] == 1_700_000_000.5


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("DELETE", f"/assets/{UUID}", 202), ("DELETE", f"/projects/{UUID}", 204), ("POST", "/projects", 201)],
)
def test_status_code_is_the_operations_response_code(emulator: Emulator, method: str, path: str, status: int) -> None:
    """The model's http.responseCode decides the success status; 204 carries no body."""
    body = {"portalId": UUID, "projectName": "p"} if method == "POST" else None
    response = send(emulator, method, path, body)
    assert response.status == status
    if status == 204:
        assert response.body == b""


def test_backend_errors_carry_status_type_header_and_extra_members(fake: FakeBackend) -> None:
    """A ConflictingOperation becomes 409 with X-Amzn-ErrorType and its extra shape members in the body."""
    fake.raise_next = ConflictingOperation("asset is UPDATING", resourceId=UUID, resourceArn="arn:x")
    response = send(Emulator(fake), "GET", f"/assets/{UUID}")
    document = json.loads(response.body)
    assert response.status == 409
    assert response.headers["X-Amzn-ErrorType"] == "ConflictingOperationException"
    assert document == {"message": "asset is UPDATING", "resourceId": UUID, "resourceArn": "arn:x"}


def test_a_backend_bug_is_a_500_internal_failure_not_a_crash(fake: FakeBackend) -> None:
    """An unexpected exception in the backend is answered (500 InternalFailureException), not raised."""
    fake.raise_next = KeyError("oops")
    status, code, message = error_of(send(Emulator(fake), "GET", f"/assets/{UUID}"))
    assert (status, code) == (500, "InternalFailureException")
    assert "oops" in message


_GARBAGE: list[Any] = [b"{", b"[]", b"0", {"x": 1}, {"name": 7}, {"tags": "notamap"}, {"entries": [1, 2]}]


def test_garbage_never_yields_a_500_on_any_operation(emulator: Emulator) -> None:
    """Every operation of the model, fed garbage bodies and garbage query values, answers 2xx or 4xx."""
    model = service_model()
    five_hundreds = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        path = _filled(http["requestUri"]) + "?maxResults=-1&nextToken=&startDate=yesterday"
        for body in _GARBAGE:
            response = send(emulator, http["method"], path, body)
            if response.status >= 500:
                five_hundreds.append((name, body, response.body))
    assert five_hundreds == []


def test_empty_strings_where_the_shape_wants_one_character_are_left_out() -> None:
    """A string member of minimum length 1 answered as '' is absent, at the top and nested (summaries in a
    list); a member without that minimum keeps its ''."""
    answer = {
        "assetModelSummaries": [
            {"id": MODEL_ID, "name": "m", "description": "", "assetModelType": "ASSET_MODEL"},
            {"id": MODEL_ID, "name": "n", "description": "kept", "assetModelType": "ASSET_MODEL"},
        ],
    }
    emulator = Emulator(FakeBackend(answers={"ListAssetModels": answer}))
    summaries = json.loads(send(emulator, "GET", "/asset-models").body)["assetModelSummaries"]
    assert "description" not in summaries[0] and summaries[1]["description"] == "kept"
    described = {"assetModelId": MODEL_ID, "assetModelName": "m", "assetModelDescription": ""}
    emulator = Emulator(FakeBackend(answers={"DescribeAssetModel": described}))
    assert "assetModelDescription" not in json.loads(send(emulator, "GET", f"/asset-models/{MODEL_ID}").body)
    shape = service_model().operation_model("DescribeDashboard").output_shape
    assert shape is not None and shape.members["dashboardDefinition"].metadata.get("min", 0) == 0
    dashboard = {"dashboardId": UUID, "dashboardName": "d", "dashboardDefinition": ""}
    emulator = Emulator(FakeBackend(answers={"DescribeDashboard": dashboard}))
    assert json.loads(send(emulator, "GET", f"/dashboards/{UUID}").body)["dashboardDefinition"] == ""
