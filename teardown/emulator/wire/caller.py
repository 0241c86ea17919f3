"""Who signed a request: the account and region whose world answers it, by moto's rules.

The region is the SigV4 signing region (the credential scope of the Authorization header). The account is
resolved as moto's ``BaseResponse.get_current_account`` does, in this order: the ``MOTO_ACCOUNT_ID``
environment variable, the ``x-moto-account-id`` header, then the access key id: credentials that moto's STS
issued (AssumeRole) belong to the assumed role's account. Everything else (dummy keys, keys in moto's own
default account, unsigned requests) is ``None``: the emulator's default account or region answers.
moto is consulted only when this process has already loaded it (``mock_aws``, or the HTTP server's STS):
without it loaded no key can have been issued, and a SiteWise call never pays for the import.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass

ACCOUNT_ENV = "MOTO_ACCOUNT_ID"
ACCOUNT_HEADER = "x-moto-account-id"
# moto's DEFAULT_ACCOUNT_ID: what its lookup answers for a key it does not know.
MOTO_DEFAULT_ACCOUNT = "123456789012"
# "Credential=AKID/20240101/us-east-1/iotsitewise/aws4_request": key id, date, region, service.
_SCOPE = re.compile(r"Credential=([^/,\s]+)/[^/]+/([^/]+)/([^/]+)/aws4_request")


@dataclass(frozen=True)
class SigningScope:
    access_key: str
    region: str
    service: str


@dataclass(frozen=True)
class Caller:
    """The world a request is for; ``None`` parts mean the emulator's default account or region."""

    account: str | None = None
    region: str | None = None


def signing_scope(headers: Mapping[str, str]) -> SigningScope | None:
    """The SigV4 credential scope of the request's Authorization header, if it has one."""
    found = _SCOPE.search(_header(headers, "authorization") or "")
    if found is None:
        return None
    return SigningScope(access_key=found.group(1), region=found.group(2), service=found.group(3))


def caller_of(headers: Mapping[str, str]) -> Caller:
    scope = signing_scope(headers)
    return Caller(
        account=account_of(scope.access_key if scope else None, headers),
        region=scope.region if scope else None,
    )


def account_of(access_key: str | None, headers: Mapping[str, str]) -> str | None:
    """The account moto would say this request is from, or None for moto's (and so the emulator's) default."""
    named = os.environ.get(ACCOUNT_ENV) or _header(headers, ACCOUNT_HEADER)
    if named:
        return named
    iam = sys.modules.get("moto.iam.models")
    if access_key is None or iam is None:
        return None
    account = str(iam.get_account_id_from(access_key))
    return None if account == MOTO_DEFAULT_ACCOUNT else account


def _header(headers: Mapping[str, str], name: str) -> str | None:
    # Header names are case-insensitive; botocore's and werkzeug's mappings are, a plain dict is not.
    value = headers.get(name)
    if value is not None:
        return value
    for key, found in headers.items():
        if key.lower() == name:
            return found
    return None
