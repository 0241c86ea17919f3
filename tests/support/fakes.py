"""Fake answers for tests that need no emulator: the service's errors, shaped as botocore raises them."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError


def client_error(code: str, status: int, message: str = "msg", operation: str = "DescribeAsset") -> ClientError:
    """The ClientError botocore raises for a service answer with this error code and HTTP status."""
    response: Any = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, operation)


def not_found(operation: str = "DescribeAsset") -> ClientError:
    """A 404: the resource is gone."""
    return client_error("ResourceNotFoundException", 404, "gone", operation)
