"""Wire behaviour seen through a real boto3 client and the real backend: exact error codes and statuses
for bad input (with boto3's own checks off, so the emulator is what refuses), and the success wire."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from teardown.emulator.backend import SiteWiseBackend

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient


def _error(call: Any, **params: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


@pytest.mark.parametrize(
    ("params", "member"),
    [
        ({"maxResults": 0}, "maxResults"),
        ({"maxResults": 251}, "maxResults"),
        ({"maxResults": "lots"}, "maxResults"),
        ({"assetModelTypes": ["NOT_A_TYPE"]}, "assetModelTypes.1"),
    ],
)
def test_bad_list_parameters_are_400(
    lax_sitewise: Any, backend: SiteWiseBackend, params: dict[str, Any], member: str
) -> None:
    """Out-of-range maxResults, non-numbers and bad enums are InvalidRequestException 400 naming the member."""
    code, status, message = _error(lax_sitewise.list_asset_models, **params)
    assert (code, status) == ("InvalidRequestException", 400)
    assert f"'{member}'" in message
    # Refused at the wire, before the backend's handler, and still counted: "not one call" must see it.
    assert backend.call_counts().get("ListAssetModels") == 1


def test_bad_next_token_is_400(sitewise: IoTSiteWiseClient) -> None:
    """An opaque token the emulator never issued is InvalidRequestException (the backend's rule, on the wire)."""
    code, status, _ = _error(sitewise.list_asset_models, nextToken="bm90LWEtcmVhbC10b2tlbg")
    assert (code, status) == ("InvalidRequestException", 400)


def test_missing_required_and_wrong_type_through_boto3(lax_sitewise: Any) -> None:
    """CreateAsset with a numeric name and no model id: one 400 naming both members."""
    code, status, message = _error(lax_sitewise.create_asset, assetName=42)
    assert (code, status) == ("InvalidRequestException", 400)
    assert "'assetName'" in message and "'assetModelId'" in message


def test_bad_asset_id_is_400_not_404(lax_sitewise: Any) -> None:
    """An id that breaks the model's pattern is a validation error, not a lookup miss."""
    code, status, message = _error(lax_sitewise.describe_asset, assetId="../etc/passwd")
    assert (code, status) == ("InvalidRequestException", 400)
    assert "'assetId'" in message


def test_too_long_name_is_400(lax_sitewise: Any) -> None:
    """assetModelName above 256 characters is refused with its limit."""
    code, status, message = _error(lax_sitewise.create_asset_model, assetModelName="n" * 257)
    assert (code, status) == ("InvalidRequestException", 400)
    assert "less than or equal to 256" in message


def test_short_client_token_is_400(lax_sitewise: Any) -> None:
    """clientToken must be 36 to 64 characters."""
    code, status, message = _error(lax_sitewise.create_asset_model, assetModelName="m", clientToken="short")
    assert (code, status) == ("InvalidRequestException", 400)
    assert "'clientToken'" in message


def test_unknown_asset_is_404_resource_not_found(sitewise: IoTSiteWiseClient) -> None:
    """A well-formed id that does not exist is ResourceNotFoundException 404 (what the waiters rely on)."""
    code, status, _ = _error(sitewise.describe_asset, assetId="11111111-2222-4333-8444-555555555555")
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_success_wire_statuses_etag_header_and_datetimes(sitewise: IoTSiteWiseClient) -> None:
    """Create answers 202, the ETag travels as a header, timestamps come back as datetimes, delete 202."""
    created = sitewise.create_asset_model(assetModelName="turbine")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    described = sitewise.describe_asset_model(assetModelId=created["assetModelId"])
    assert described["ResponseMetadata"]["HTTPHeaders"]["etag"] == described["eTag"]
    assert described["assetModelCreationDate"].tzinfo is not None
    deleted = sitewise.delete_asset_model(assetModelId=created["assetModelId"], ifMatch=described["eTag"])
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert deleted["assetModelStatus"]["state"] == "DELETING"


def test_a_mutation_refused_at_the_wire_still_counts_as_a_call(lax_sitewise: Any, backend: SiteWiseBackend) -> None:
    """A malformed DeleteAsset changes nothing, but call_counts sees it, so "not one mutating call" cannot
    pass while an engine sends malformed deletes."""
    before = backend.snapshot()
    code, status, _ = _error(lax_sitewise.delete_asset, assetId="not-a-uuid")
    assert (code, status) == ("InvalidRequestException", 400)
    assert backend.call_counts() == {"DeleteAsset": 1}
    assert backend.snapshot() == before
