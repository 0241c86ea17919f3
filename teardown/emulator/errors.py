"""Errors the emulator answers with, each carrying its AWS error code and HTTP status.

Codes and statuses are those of the service model's error shapes; the wire layer turns an error into a
response and never decides a status itself.
"""

from __future__ import annotations

from typing import Any


class EmulatorError(Exception):
    code = "InternalFailureException"
    status = 500

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        # Other members of the error shape (e.g. resourceId / resourceArn on a conflict).
        self.extra = extra


class InvalidRequest(EmulatorError):
    code = "InvalidRequestException"
    status = 400


class ResourceNotFound(EmulatorError):
    code = "ResourceNotFoundException"
    status = 404


class ResourceAlreadyExists(EmulatorError):
    code = "ResourceAlreadyExistsException"
    status = 409


class ConflictingOperation(EmulatorError):
    code = "ConflictingOperationException"
    status = 409


class LimitExceeded(EmulatorError):
    code = "LimitExceededException"
    status = 410


class PreconditionFailed(EmulatorError):
    code = "PreconditionFailedException"
    status = 412


class Throttling(EmulatorError):
    code = "ThrottlingException"
    status = 429


class InternalFailure(EmulatorError):
    code = "InternalFailureException"
    status = 500


class NotImplementedByEmulator(EmulatorError):
    """An operation of the service model that the emulator does not serve: never a silent success."""

    code = "NotImplementedByEmulator"
    status = 501
