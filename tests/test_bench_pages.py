"""bench.pages measures signed-in pages with the cookies a browser would send."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.pages import SIGNED_IN_MARK, browser_cookies
from tests.servers import Server


class Page(BaseHTTPRequestHandler):
    body = ""
    received: list[str] = []

    def do_GET(self) -> None:  # http.server's name for it
        Page.received.append(self.headers.get("Cookie", ""))
        content = self.body.encode()
        self.send_response(200)
        self.send_header("Set-Cookie", "croody_api=token; Path=/api/; HttpOnly; SameSite=Lax")
        self.send_header("Set-Cookie", "csrftoken=abc; Path=/; Secure")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Page.received = []
    yield Server(f"http://127.0.0.1:{httpd.server_port}", None, Path("/dev/null"))  # type: ignore[arg-type]
    httpd.shutdown()
    httpd.server_close()


def test_the_session_comes_back_with_what_the_first_page_set(server):
    Page.body = f"<form {SIGNED_IN_MARK}></form>"
    assert (
        browser_cookies(server, "sessionid=s1") == "sessionid=s1; croody_api=token; csrftoken=abc"
    )
    assert Page.received == ["sessionid=s1"]


def test_a_session_that_does_not_sign_in_stops_the_bench(server):
    Page.body = "<a href='/es/cuenta/entrar/'>Entrar</a>"
    with pytest.raises(RuntimeError, match="does not sign in"):
        browser_cookies(server, "sessionid=expired")
