"""Error classification for every SiteWise request the engine sends: one table of codes, read by the
retry policies, the observers and the executor.

- retried: throttling, internal failures, unavailability and other 5xx, connection errors, and (for
  mutations) ConflictingOperationException, a resource still UPDATING or CREATING;
- never retried: InvalidRequestException and PreconditionFailedException (the plan is wrong or stale),
  LimitExceededException (a resource quota, although botocore's standard mode treats 410 as throttling),
  ResourceNotFoundException (the caller handles it as a result: "already gone").
"""

from __future__ import annotations

from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

THROTTLING_CODES = frozenset(
    {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "SlowDown"}
)
TRANSIENT_CODES = frozenset(
    {"InternalFailureException", "InternalFailure", "ServiceUnavailableException", "ServiceUnavailable",
     "InternalServerError", "RequestTimeout", "RequestTimeoutException"}
)
CONFLICT_CODES = frozenset({"ConflictingOperationException"})
NEVER_RETRIED_CODES = frozenset(
    {"InvalidRequestException", "LimitExceededException", "ResourceNotFoundException",
     "PreconditionFailedException", "AccessDeniedException", "UnauthorizedException",
     "ResourceAlreadyExistsException", "ValidationException"}
)


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a botocore ClientError, else None."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "")) or None
    return None


def error_status(exc: BaseException) -> int | None:
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return int(status) if status is not None else None
    return None


def error_text(exc: BaseException) -> str:
    """``Code: message`` for a service error, the exception's own text otherwise."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return f"{err.get('Code', 'Error')}: {err.get('Message', '')}".rstrip(": ")
    return f"{type(exc).__name__}: {exc}"


def is_throttling(exc: BaseException) -> bool:
    return error_code(exc) in THROTTLING_CODES


def is_transient(exc: BaseException) -> bool:
    """Worth resending any request: throttled, 5xx, or the connection broke."""
    if isinstance(exc, ConnectionError | HTTPClientError):
        return True
    code = error_code(exc)
    if code is None or code in NEVER_RETRIED_CODES:
        return False
    if code in THROTTLING_CODES or code in TRANSIENT_CODES:
        return True
    status = error_status(exc)
    return status is not None and status >= 500


def is_retryable_mutation(exc: BaseException) -> bool:
    """A mutation is also resent while its resource is busy (UPDATING, CREATING): that passes."""
    return is_transient(exc) or error_code(exc) in CONFLICT_CODES
