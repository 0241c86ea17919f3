"""What AWS itself refuses ends in one clear error line and a documented exit code, never a traceback:
missing credentials (2), an endpoint that does not answer (2), credentials the service refuses (3)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

from teardown.cli import main, plan_cmd
from teardown.errors import EXIT_ACTIONS_FAILED, EXIT_BAD_INPUT, EXIT_REFUSED


def _raising(exc: BaseException) -> Any:
    def run(_args: Any) -> int:
        raise exc

    return run


def _client_error(code: str, status: int) -> ClientError:
    response: Any = {"Error": {"Code": code, "Message": "no"}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, "ListAssetModels")


@pytest.mark.parametrize(("exc", "code", "text"), [
    (NoCredentialsError(), EXIT_BAD_INPUT, "error: AWS configuration: Unable to locate credentials"),
    (EndpointConnectionError(endpoint_url="http://127.0.0.1:1/"), EXIT_BAD_INPUT,
     "error: cannot reach http://127.0.0.1:1/"),
    (_client_error("AccessDeniedException", 403), EXIT_REFUSED, "error: AWS refused: AccessDeniedException: no"),
    (_client_error("ExpiredToken", 400), EXIT_REFUSED, "error: AWS refused: ExpiredToken"),
    (_client_error("InternalFailureException", 500), EXIT_ACTIONS_FAILED, "error: AWS refused: InternalFailure"),
])
def test_aws_errors_end_in_one_line_and_their_exit_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], exc: BaseException, code: int, text: str
) -> None:
    """The command raised the SDK's error: main() prints one line to stderr and answers the code."""
    monkeypatch.setattr(plan_cmd, "run", _raising(exc))
    assert main(["plan", "--all"]) == code
    err = capsys.readouterr().err
    assert text in err
    assert "Traceback" not in err
