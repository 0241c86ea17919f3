"""A target run's outcome: its exit code and what to say, whatever ended it.

The exit codes are the README's (``teardown.errors``): an error of the engine carries its own; AWS answers are
classified as the CLI classifies them for one target (credentials refused: 3; no credentials, no region, an
endpoint that does not answer: 2; any other service error: 1). The fleet's exit code is the worst of its
runs', the highest code: 130 interrupted, 3 refused, 2 bad input, 1 failed, 0 ok.
"""

from __future__ import annotations

from collections.abc import Iterable

from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
)

from teardown.aws.classify import error_code, error_status, error_text
from teardown.errors import (
    EXIT_ACTIONS_FAILED,
    EXIT_BAD_INPUT,
    EXIT_OK,
    EXIT_REFUSED,
    TeardownError,
)

_REFUSED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "ExpiredToken", "ExpiredTokenException",
                            "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch"})


def classify(exc: BaseException) -> tuple[int, str]:
    """The exit code and message of an error that ended one target run."""
    if isinstance(exc, TeardownError):
        return exc.exit_code, str(exc)
    if isinstance(exc, NoCredentialsError | PartialCredentialsError | ProfileNotFound | NoRegionError):
        return EXIT_BAD_INPUT, f"AWS configuration: {exc}"
    if isinstance(exc, EndpointConnectionError):
        return EXIT_BAD_INPUT, f"cannot reach {exc.kwargs.get('endpoint_url')}"
    if isinstance(exc, ClientError):
        code, status = error_code(exc) or "", error_status(exc) or 0
        refused = status in (401, 403) or code in _REFUSED_CODES
        return (EXIT_REFUSED if refused else EXIT_ACTIONS_FAILED), f"AWS refused: {error_text(exc)}"
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename is not None else ""
        return EXIT_BAD_INPUT, f"{where}{exc.strerror or exc}"
    return EXIT_ACTIONS_FAILED, f"{type(exc).__name__}: {exc}"


def worst(codes: Iterable[int]) -> int:
    return max(codes, default=EXIT_OK)
