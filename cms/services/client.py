"""Calls from the CMS to a service's HTTP API, on behalf of a signed-in user.

Each request carries a croody_api token the CMS mints for that user (croody_core.session),
so the service applies the same rules as to the user's own browser: owners read their own
robots, staff read everything, analysts read predictions.

Where a service answers: `<NAME>_API_URL` (settings) when deployed; under the gateway
(`make run`) the gateway registers an in-process client with `use_client`, so no socket is
opened. A service that cannot be reached, or answers 5xx, raises ServiceUnavailable; any
other error answer raises ServiceError with the service's error body.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import httpx
from django.conf import settings

from cms.services.credentials import session_secret
from croody_core import session as api_session

TELEMETRY = "telemetry"
IDS = "ids"
_registered: dict[str, httpx.Client] = {}


class ServiceUnavailable(Exception):
    """The service could not answer: show the page without its data, and say so."""


class ServiceError(Exception):
    """The service refused the request (4xx); `body` is its error envelope."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"HTTP {status}: {body.get('message', '')}")
        self.status = status
        self.body = body


def use_client(service: str, client: httpx.Client | None) -> None:
    """Route calls to `service` through this client (None: back to the configured URL)."""
    if client is None:
        _registered.pop(service, None)
    else:
        _registered[service] = client


@lru_cache(maxsize=8)
def _client_for(url: str, timeout: float) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=timeout)  # one connection pool per service


def _client(service: str) -> httpx.Client:
    if service in _registered:
        return _registered[service]
    url = getattr(settings, f"{service.upper()}_API_URL", "")
    if not url:
        raise ServiceUnavailable(
            f"{service.upper()}_API_URL is not set and no in-process service is registered"
        )
    return _client_for(url, settings.SERVICE_TIMEOUT_SECONDS)


def user_token(user: Any) -> str:
    """A one-minute croody_api token for `user`, stating the robots they own (the CMS knows)."""
    return api_session.issue_token(
        user_id=user.pk,
        is_staff=user.is_staff,
        groups=user.groups.values_list("name", flat=True),
        secret=session_secret(),
        ttl=60,
        robots=user.robots.values_list("robot_id", flat=True),
    )


def get(service: str, path: str, user: Any, params: dict[str, Any] | None = None) -> httpx.Response:
    """GET `path` from the service as `user`; the response of any 2xx."""
    return _send("GET", service, path, user, params)


def delete(service: str, path: str, user: Any) -> httpx.Response:
    """DELETE `path` at the service as `user` (erasing their own data); the 2xx response."""
    return _send("DELETE", service, path, user)


def send_json(service: str, method: str, path: str, user: Any, body: Any) -> Any:
    """PUT/POST/DELETE `body` as JSON to the service as `user`; the 2xx answer's JSON."""
    return _send(method, service, path, user, json=body).json()


def _send(
    method: str,
    service: str,
    path: str,
    user: Any,
    params: dict[str, Any] | None = None,
    json: Any = None,
) -> httpx.Response:
    # `user` None: no credential, for a service's public figures (apis/telemetry/stats.py).
    cookies = {} if user is None else {api_session.COOKIE_NAME: user_token(user)}
    try:
        response = _client(service).request(
            method,
            path,
            params={k: v for k, v in (params or {}).items() if v not in (None, "")},
            headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
            json=json,
        )
    except httpx.HTTPError as error:
        raise ServiceUnavailable(f"{service}: {type(error).__name__}") from error
    if response.status_code < 400:
        return response
    try:
        body = response.json()
    except ValueError:
        body = {"error": "error", "message": response.text[:200]}
    if response.status_code >= 500:
        raise ServiceUnavailable(str(body.get("message") or f"HTTP {response.status_code}"))
    raise ServiceError(response.status_code, body)


def get_json(service: str, path: str, user: Any, params: dict[str, Any] | None = None) -> Any:
    return get(service, path, user, params).json()
