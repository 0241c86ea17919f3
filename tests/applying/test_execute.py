"""Executor pieces without AWS: the deterministic client tokens."""

from __future__ import annotations

from teardown.applying.execute import client_token


def test_client_token_is_deterministic_and_valid() -> None:
    """Same digest and action id, same token; another action or plan, another token; 36-64 chars."""
    token = client_token("sha256:abc", "delete-asset/1")
    assert token == client_token("sha256:abc", "delete-asset/1")
    assert token != client_token("sha256:abc", "delete-asset/2")
    assert token != client_token("sha256:abd", "delete-asset/1")
    assert 36 <= len(token) <= 64
    assert " " not in token
