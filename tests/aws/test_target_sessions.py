"""The sessions the engine builds (teardown.aws.target): one data loader for the whole process, so a session
after the first reads no service model again (the wire-timestamp client still parses as its own: see
test_answers)."""

from __future__ import annotations

import pytest

from teardown.aws.target import AwsTarget


def test_every_session_shares_one_loader_and_lists_each_data_path_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    target = AwsTarget(region="us-east-1", endpoint_url="http://127.0.0.1:1")
    sessions = [target.session(), target.session(wire_timestamps=True), target.session()]
    # boto3.Session keeps its botocore session as ``_session``: there is no public accessor.
    loaders = {id(s._session.get_component("data_loader")) for s in sessions}
    assert len(loaders) == 1
    paths = sessions[0]._session.get_component("data_loader").search_paths
    assert len(paths) == len(set(paths))

