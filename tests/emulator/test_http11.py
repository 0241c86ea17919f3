"""The emulator's HTTP server (teardown.emulator.wire.http11): connections are kept alive between requests,
request bodies are read whole (sized or chunked), and closing the server lets go of every kept connection."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from teardown.emulator.wire.http11 import KeepAliveServer

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

pytestmark = pytest.mark.http


def _echo(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """Answers what it was sent: method, path, query, body, and one header."""
    body = environ["wsgi.input"].read()
    document = {"method": environ["REQUEST_METHOD"], "path": environ["PATH_INFO"],
                "query": environ["QUERY_STRING"], "body": body.decode(), "x": environ.get("HTTP_X_TEST")}
    start_response("200 OK", [("Content-Type", "application/json"), ("Connection", "close")])
    return [json.dumps(document).encode()]


class _Counting(KeepAliveServer):
    def __init__(self, app: Any) -> None:
        super().__init__("127.0.0.1", 0, app)
        self.accepted = 0

    def process_request(self, request: Any, client_address: Any) -> None:
        self.accepted += 1
        super().process_request(request, client_address)


@pytest.fixture
def server() -> Iterator[_Counting]:
    running = _Counting(_echo)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()
    thread.join(timeout=10)


def _address(server: _Counting) -> tuple[str, int]:
    host, port = server.server_address[:2]
    return str(host), int(port)


def _connect(server: _Counting) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(*_address(server), timeout=10)


def test_one_connection_serves_many_requests(server: _Counting) -> None:
    """Three requests, one TCP connection: the app's own "Connection: close" does not close it."""
    connection = _connect(server)
    for i in range(3):
        connection.request("POST", f"/p/{i}?q=1", body=json.dumps({"i": i}), headers={"X-Test": "yes"})
        answer = connection.getresponse()
        document = json.loads(answer.read())
        assert answer.status == 200 and answer.getheader("Connection") is None
        assert document == {"method": "POST", "path": f"/p/{i}", "query": "q=1", "body": json.dumps({"i": i}),
                            "x": "yes"}
    assert server.accepted == 1


def test_a_chunked_body_is_read_whole_and_the_next_request_still_parses(server: _Counting) -> None:
    connection = _connect(server)
    connection.request("POST", "/chunked", body=iter([b"hello ", b"world"]), encode_chunked=True)
    assert json.loads(connection.getresponse().read())["body"] == "hello world"
    connection.request("GET", "/after")
    assert json.loads(connection.getresponse().read())["path"] == "/after"
    assert server.accepted == 1


def test_a_client_that_asks_to_close_is_answered_and_closed(server: _Counting) -> None:
    connection = _connect(server)
    connection.request("GET", "/bye", headers={"Connection": "close"})
    answer = connection.getresponse()
    assert answer.getheader("Connection") == "close"
    answer.read()
    connection.request("GET", "/again")  # http.client reconnects: a second connection
    connection.getresponse().read()
    assert server.accepted == 2


def test_closing_the_server_lets_go_of_kept_connections() -> None:
    running = _Counting(_echo)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    raw = socket.create_connection(_address(running), timeout=10)
    raw.sendall(b"GET /x HTTP/1.1\r\nHost: t\r\n\r\n")
    assert b"200 OK" in raw.recv(65536)
    running.shutdown()
    running.server_close()
    thread.join(timeout=10)
    assert raw.recv(65536) == b""  # the server closed its end: nothing waits on this connection any more
    raw.close()
