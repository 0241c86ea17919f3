"""What a FAILED resource reports: the ``error`` member of its status, shaped as the service model says.

Assets and asset models carry ``ErrorDetails`` (``code``: VALIDATION_ERROR or INTERNAL_FAILURE, ``message``,
optional ``details``: a list of ``DetailedError`` ``{code, message}`` whose codes are
INCOMPATIBLE_COMPUTE_LOCATION or INCOMPATIBLE_FORWARDING_CONFIGURATION); portals carry
``MonitorErrorDetails`` (``code``: also LIMIT_EXCEEDED, ``message``, no details).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["DETAILED_ERROR_CODES", "ERROR_CODES", "MONITOR_ERROR_CODES", "DetailedError", "FailureDetails"]

# The enums of the service model (a test keeps them in step with botocore's).
ERROR_CODES = ("VALIDATION_ERROR", "INTERNAL_FAILURE")
MONITOR_ERROR_CODES = ("INTERNAL_FAILURE", "VALIDATION_ERROR", "LIMIT_EXCEEDED")
DETAILED_ERROR_CODES = ("INCOMPATIBLE_COMPUTE_LOCATION", "INCOMPATIBLE_FORWARDING_CONFIGURATION")


@dataclass(frozen=True)
class DetailedError:
    """One entry of ``error.details``."""

    code: str
    message: str

    def __post_init__(self) -> None:
        if self.code not in DETAILED_ERROR_CODES:
            raise ValueError(f"detailed error code {self.code!r} is not one of {list(DETAILED_ERROR_CODES)}")


@dataclass(frozen=True)
class FailureDetails:
    """The error a resource reports when a delete or an update ends FAILED.

    ``message`` None: a message naming the resource and what failed. ``details`` go out for assets and
    models only (a portal's error has none).
    """

    code: str = "INTERNAL_FAILURE"
    message: str | None = None
    details: tuple[DetailedError, ...] = ()

    def __post_init__(self) -> None:
        # The codes assets, models and portals share (a portal may also report LIMIT_EXCEEDED, which only
        # the service itself decides).
        if self.code not in ERROR_CODES:
            raise ValueError(f"error code {self.code!r} is not one of {list(ERROR_CODES)}")
        object.__setattr__(self, "details", tuple(_detail(d) for d in _entries(self.details)))

    @classmethod
    def from_value(cls, value: FailureDetails | Mapping[str, Any]) -> FailureDetails:
        """Settings or their JSON form (``{"code": ..., "message": ..., "details": [{"code", "message"}]}``)."""
        if isinstance(value, FailureDetails):
            return value
        if not isinstance(value, Mapping):
            raise ValueError("a failure's error must be an object with code, message and details")
        unknown = set(value) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown failure error fields {sorted(unknown)}")
        return cls(**value)

    def render(self, kind: str, resource_id: str, what: str) -> dict[str, Any]:
        """The status ``error`` member of the ``kind`` (asset, model, portal) whose ``what`` (delete, update)
        failed."""
        noun = {"model": "asset model"}.get(kind, kind)
        message = self.message or f"The {what} of {noun} {resource_id} failed because of an internal failure."
        if kind == "portal":
            return {"code": self.code, "message": message}
        out: dict[str, Any] = {"code": self.code, "message": message}
        if self.details:
            out["details"] = [{"code": d.code, "message": d.message} for d in self.details]
        return out


def _entries(value: Iterable[Any] | Any) -> Iterable[Any]:
    if isinstance(value, str | Mapping | DetailedError) or not isinstance(value, Iterable):
        raise ValueError("'details' must be a list of {code, message}")
    return value


def _detail(value: DetailedError | Mapping[str, Any]) -> DetailedError:
    if isinstance(value, DetailedError):
        return value
    if not isinstance(value, Mapping) or set(value) != {"code", "message"}:
        raise ValueError("each detail must be an object with exactly 'code' and 'message'")
    return DetailedError(code=value["code"], message=value["message"])
