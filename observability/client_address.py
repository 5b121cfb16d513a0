"""Puts the client's real address in the ASGI scope before anything reads it.

uvicorn's own proxy-header handling runs switched off: with `--forwarded-allow-ips "*"` it
took the left end of X-Forwarded-For, which the client writes. This middleware takes the
address from the right end instead (croody_core.proxies, one TRUSTED_PROXIES setting for
every deployment), so throttles, sign-in lockout, security events, access logs and the
/metrics guard all see the same, unspoofable address.
"""

import os

from croody_core.proxies import TrustedProxies
from observability.metrics import ASGIApp, Receive, Scope, Send

_SCHEMES = {"http": ("http", "https"), "websocket": ("ws", "wss")}


class ClientAddressMiddleware:
    def __init__(self, app: ASGIApp, trusted: TrustedProxies) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in _SCHEMES and self.trusted.enabled:
            self._resolve(scope)
        await self.app(scope, receive, send)

    def _resolve(self, scope: Scope) -> None:
        peer_host = (scope.get("client") or (None,))[0]
        forwarded_for: list[str] = []
        forwarded_proto = ""
        for name, value in scope["headers"]:
            if name == b"x-forwarded-for":
                forwarded_for.append(value.decode("latin-1"))
            elif name == b"x-forwarded-proto":
                forwarded_proto = value.decode("latin-1").strip().lower()
        client = self.trusted.client_address(peer_host, forwarded_for)
        if client is not None and client != peer_host:
            scope["client"] = (client, 0)  # the client's port is not known past a proxy
        plain, secure = _SCHEMES[scope["type"]]
        if forwarded_proto in ("http", "https") and self.trusted.trusts_connection(peer_host):
            scope["scheme"] = secure if forwarded_proto == "https" else plain


def from_environment(app: ASGIApp) -> ASGIApp:
    """Wraps `app` as TRUSTED_PROXIES says; a wrong value stops the start with its fix."""
    return ClientAddressMiddleware(app, TrustedProxies.parse(os.environ.get("TRUSTED_PROXIES")))
