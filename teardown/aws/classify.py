"""Error classification for every SiteWise request the engine sends: one table of codes, read by the
retry policies, the observers and the executor.

- retried: throttling, internal failures, unavailability and other 5xx, connection errors, and (for
  mutations) ConflictingOperationException, a resource still UPDATING or CREATING;
- never retried: InvalidRequestException and PreconditionFailedException (the plan is wrong or stale),
  LimitExceededException (a resource quota, although botocore's standard mode treats 410 as throttling),
  ResourceNotFoundException (the caller handles it as a result: "already gone").

``exit_outcome`` is the other table: the exit code (the README's, ``teardown.errors``) and one-line message
of an error that ended a command or a fleet's target run, so the CLI and the fleet never disagree.
"""

from __future__ import annotations

from botocore.exceptions import (
    ClientError,
    ConnectionError,
    EndpointConnectionError,
    HTTPClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
)

from teardown.errors import EXIT_ACTIONS_FAILED, EXIT_BAD_INPUT, EXIT_REFUSED, TeardownError

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

# Answers that mean the credentials may not act, whatever the status (STS answers some of them with a 400).
REFUSED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "ExpiredToken", "ExpiredTokenException",
                           "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch"})


def exit_outcome(exc: BaseException) -> tuple[int, str] | None:
    """The exit code and message for an error that ends a command or a target run: the engine's own error
    carries its code; no credentials, no region, an endpoint that does not answer, a file the OS refuses: 2;
    credentials the service refuses: 3; any other service error: 1. None for anything else (a bug: let it
    raise, or say so as the caller sees fit)."""
    if isinstance(exc, TeardownError):
        return exc.exit_code, str(exc)
    if isinstance(exc, NoCredentialsError | PartialCredentialsError | ProfileNotFound | NoRegionError):
        return EXIT_BAD_INPUT, f"AWS configuration: {exc}"
    if isinstance(exc, EndpointConnectionError):
        return EXIT_BAD_INPUT, (f"cannot reach {exc.kwargs.get('endpoint_url')}: check the endpoint URL, the region "
                                "and the network (is the emulator running?)")
    if isinstance(exc, ClientError):
        code, status = error_code(exc) or "", error_status(exc) or 0
        refused = status in (401, 403) or code in REFUSED_CODES
        return (EXIT_REFUSED if refused else EXIT_ACTIONS_FAILED), f"AWS refused: {error_text(exc)}"
    if isinstance(exc, OSError):
        # Commands check their files themselves and say which is which; this keeps any other one the OS
        # refuses from ending in a traceback.
        where = f"{exc.filename}: " if exc.filename is not None else ""
        return EXIT_BAD_INPUT, f"{where}{exc.strerror or exc}"
    return None


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
