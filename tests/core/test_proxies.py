"""The client's address behind our proxies (croody_core.proxies, observability.client_address).

What matters to a user: a client cannot choose the address its throttle, lockout and logs key
on by sending X-Forwarded-For, whatever the deployment; and a proxy we run is never mistaken
for the client.
"""

import asyncio
from typing import Any

import pytest

from croody_core.proxies import TrustedProxies, TrustedProxiesError
from observability.client_address import ClientAddressMiddleware, from_environment

NGINX = "172.18.0.5"
CLIENT = "203.0.113.9"
SPOOF = "198.51.100.66"


@pytest.mark.parametrize(
    ("setting", "forwarded_for", "expected"),
    [
        # No proxy (make run): the header is ignored, however it looks.
        ("", [f"{SPOOF}"], NGINX),
        ("0", [f"{SPOOF}, {CLIENT}"], NGINX),
        # One proxy (compose): the entry nginx appended, whatever the client put before it.
        ("1", [CLIENT], CLIENT),
        ("1", [f"{SPOOF}, {CLIENT}"], CLIENT),
        ("1", [f"{SPOOF}, 10.0.0.1, {CLIENT}"], CLIENT),
        ("1", [SPOOF, CLIENT], CLIENT),  # two header lines: the last one is nginx's
        # Two proxies (CloudFront, then the ALB): the entry CloudFront appended.
        ("2", [f"{SPOOF}, {CLIENT}, 130.176.0.1"], CLIENT),
        ("2", [f"{CLIENT}, 130.176.0.1"], CLIENT),
        ("2", [CLIENT], CLIENT),  # fewer hops than proxies: the nearest one's entry
        # Networks: the first address from the right that is not a proxy.
        ("172.18.0.0/16", [f"{SPOOF}, {CLIENT}"], CLIENT),
        ("172.18.0.0/16,10.0.0.0/8", [f"{SPOOF}, {CLIENT}, 10.1.2.3"], CLIENT),
        ("172.18.0.0/16", [f"{SPOOF}, 172.18.0.9"], SPOOF),  # a chain of two proxies
        ("2001:db8::/32,172.18.0.0/16", [f"{SPOOF}, 2001:db8::7"], SPOOF),
        # Nothing usable: the nearest address we can vouch for.
        ("1", ["not-an-address"], NGINX),
        ("1", [""], NGINX),
        ("1", [", ,"], NGINX),
        ("172.18.0.0/16", [f"{CLIENT}, garbage"], NGINX),
        ("1", [f"{CLIENT}, {'9' * 5000}"], NGINX),
    ],
)
def test_client_address(setting: str, forwarded_for: list[str], expected: str) -> None:
    assert TrustedProxies.parse(setting).client_address(NGINX, forwarded_for) == expected


def test_a_connection_from_outside_the_proxy_networks_is_the_client() -> None:
    trusted = TrustedProxies.parse("172.18.0.0/16")
    assert trusted.client_address(CLIENT, [SPOOF]) == CLIENT
    assert not trusted.trusts_connection(CLIENT)
    assert trusted.trusts_connection(NGINX)


@pytest.mark.parametrize("setting", ["nginx", "1.2.3.4/99", "10.0.0.0/8, x", "-1", "1.5"])
def test_a_wrong_setting_says_what_to_write(setting: str) -> None:
    with pytest.raises(TrustedProxiesError, match="count of proxies"):
        TrustedProxies.parse(setting)


def test_a_wrong_setting_stops_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTED_PROXIES", "the-alb")
    with pytest.raises(TrustedProxiesError):
        from_environment(_echo)


async def _echo(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "seen", "client": scope.get("client"), "scheme": scope["scheme"]})


def _seen(setting: str, headers: list[tuple[bytes, bytes]], peer: str = NGINX) -> dict[str, Any]:
    app = ClientAddressMiddleware(_echo, TrustedProxies.parse(setting))
    scope = {"type": "http", "scheme": "http", "client": (peer, 40000), "headers": headers}
    messages: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        messages.append(message)

    async def receive() -> Any:
        return {"type": "http.disconnect"}

    asyncio.run(app(scope, receive, send))
    return messages[0]


def test_the_app_sees_the_client_and_the_scheme_nginx_reports() -> None:
    seen = _seen(
        "1",
        [(b"x-forwarded-for", f"{SPOOF}, {CLIENT}".encode()), (b"x-forwarded-proto", b"https")],
    )
    assert seen["client"] == (CLIENT, 0)
    assert seen["scheme"] == "https"


def test_headers_from_an_untrusted_connection_change_nothing() -> None:
    headers = [(b"x-forwarded-for", SPOOF.encode()), (b"x-forwarded-proto", b"https")]
    for setting, peer in (("", NGINX), ("172.18.0.0/16", CLIENT)):
        seen = _seen(setting, headers, peer=peer)
        assert seen["client"] == (peer, 40000)
        assert seen["scheme"] == "http"


def test_an_odd_forwarded_proto_is_ignored() -> None:
    seen = _seen("1", [(b"x-forwarded-proto", b"gopher")])
    assert seen["scheme"] == "http"
    assert seen["client"] == (NGINX, 40000)
