"""One table maps an error that ends a command or a target run to its exit code and message
(``teardown.aws.classify.exit_outcome``): the CLI and the fleet both read it, so they never disagree."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError, NoRegionError

from teardown.aws.classify import exit_outcome
from teardown.cli import main, plan_cmd
from teardown.errors import EXIT_ACTIONS_FAILED, EXIT_BAD_INPUT, EXIT_REFUSED, PlanRefused
from teardown.fleet.outcome import classify


def _client_error(code: str, status: int) -> ClientError:
    response: Any = {"Error": {"Code": code, "Message": "no"}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, "ListAssetModels")


@pytest.mark.parametrize(("exc", "code", "text"), [
    (PlanRefused("stale plan"), EXIT_REFUSED, "stale plan"),
    (NoCredentialsError(), EXIT_BAD_INPUT, "AWS configuration: Unable to locate credentials"),
    (NoRegionError(), EXIT_BAD_INPUT, "AWS configuration: You must specify a region"),
    (EndpointConnectionError(endpoint_url="http://127.0.0.1:1/"), EXIT_BAD_INPUT, "cannot reach http://127.0.0.1:1/"),
    (_client_error("AccessDeniedException", 403), EXIT_REFUSED, "AWS refused: AccessDeniedException: no"),
    (_client_error("ExpiredToken", 400), EXIT_REFUSED, "AWS refused: ExpiredToken: no"),
    (_client_error("InternalFailureException", 500), EXIT_ACTIONS_FAILED, "AWS refused: InternalFailureException"),
    (FileNotFoundError(2, "No such file or directory", "x.json"), EXIT_BAD_INPUT, "x.json: No such file"),
])
def test_the_cli_and_a_fleet_run_classify_an_error_alike(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], exc: BaseException, code: int, text: str
) -> None:
    """The table's answer is the CLI's exit code and error line, and a fleet run's row."""
    outcome = exit_outcome(exc)
    assert outcome is not None and outcome[0] == code and text in outcome[1]
    assert classify(exc) == outcome

    def raising(_args: Any) -> int:
        raise exc

    monkeypatch.setattr(plan_cmd, "run", raising)
    assert main(["plan", "--all"]) == code
    assert f"error: {outcome[1]}" in capsys.readouterr().err


def test_an_error_outside_the_table_is_a_bug_to_the_cli_and_a_failed_run_to_the_fleet(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The CLI lets it raise (a traceback to report); the fleet fails that run alone, exit 1."""
    bug = KeyError("oops")
    assert exit_outcome(bug) is None
    assert classify(bug) == (EXIT_ACTIONS_FAILED, "KeyError: 'oops'")

    def raising(_args: Any) -> int:
        raise bug

    monkeypatch.setattr(plan_cmd, "run", raising)
    with pytest.raises(KeyError):
        main(["plan", "--all"])
