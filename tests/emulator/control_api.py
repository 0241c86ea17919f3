"""Talking to the HTTP emulator's control API (``/_emulator/``) from tests. No tests here."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from teardown.emulator import EmulatorServer


def control(server: EmulatorServer, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """One control request: its status and decoded JSON answer (bytes are sent as they are)."""
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(f"{server.url}/_emulator/{path}", data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
