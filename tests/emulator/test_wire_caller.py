"""Who signed a request (``wire.caller``): the region of the SigV4 scope, the account by moto's order
(MOTO_ACCOUNT_ID, then x-moto-account-id, then the access key moto's IAM/STS issued), and the codec handing
both to the backend."""

from __future__ import annotations

import sys
import types

import pytest

from teardown.emulator.wire.caller import Caller, caller_of, signing_scope
from teardown.emulator.wire.codec import Emulator
from tests.emulator.test_wire_codec import FakeBackend, send

SIGNED_EU = "AWS4-HMAC-SHA256 Credential=AKIDISSUED/20240101/eu-west-1/iotsitewise/aws4_request, SignedHeaders=host"


@pytest.fixture
def moto_keys(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A stand-in for moto's IAM models, loaded: the keys it knows and their accounts."""
    keys = {"AKIDISSUED": "333333333333", "AKIDDEFAULT": "123456789012"}
    fake = types.ModuleType("moto.iam.models")
    fake.get_account_id_from = lambda key: keys.get(key, "123456789012")  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "moto.iam.models", fake)
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)
    return keys


def test_the_scope_names_key_region_and_service() -> None:
    scope = signing_scope({"Authorization": SIGNED_EU})
    assert scope is not None
    assert (scope.access_key, scope.region, scope.service) == ("AKIDISSUED", "eu-west-1", "iotsitewise")
    assert signing_scope({}) is None


def test_an_issued_key_names_its_account(moto_keys: dict[str, str]) -> None:
    assert caller_of({"authorization": SIGNED_EU}) == Caller(account="333333333333", region="eu-west-1")


def test_moto_default_account_and_unknown_keys_are_the_emulators_default(moto_keys: dict[str, str]) -> None:
    """A backend built for another default account must still answer dummy credentials from it."""
    default_key = SIGNED_EU.replace("AKIDISSUED", "AKIDDEFAULT")
    assert caller_of({"Authorization": default_key}).account is None
    assert caller_of({"Authorization": SIGNED_EU.replace("AKIDISSUED", "testing")}).account is None


def test_without_moto_loaded_no_key_names_an_account(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "moto.iam.models", None)
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)
    assert caller_of({"Authorization": SIGNED_EU}) == Caller(account=None, region="eu-west-1")


def test_the_header_comes_before_the_key_and_the_environment_before_both(
    moto_keys: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = {"Authorization": SIGNED_EU, "X-Moto-Account-Id": "444444444444"}
    assert caller_of(headers).account == "444444444444"
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "555555555555")
    assert caller_of(headers).account == "555555555555"


def test_an_unsigned_request_is_the_default_world() -> None:
    assert caller_of({"Content-Type": "application/json"}) == Caller()


def test_the_codec_hands_the_callers_world_to_the_backend(moto_keys: dict[str, str]) -> None:
    """Served and refused calls alike go to the signing account's world in the signing region."""
    fake = FakeBackend()
    emulator = Emulator(fake)
    send(emulator, "GET", "/asset-models", headers={"Authorization": SIGNED_EU})
    send(emulator, "GET", "/assets/not-a-uuid-at-all", headers={"Authorization": SIGNED_EU})
    assert fake.refused == ["DescribeAsset"]
    assert fake.worlds == [("333333333333", "eu-west-1"), ("333333333333", "eu-west-1")]
