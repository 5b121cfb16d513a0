"""What a credential may do: the scopes of API keys, and those of a signed-in session."""

from __future__ import annotations

from collections.abc import Iterable

SCOPE_TELEMETRY_WRITE = "telemetry:write"
SCOPE_TELEMETRY_READ = "telemetry:read"
SCOPE_IDS_SCORE = "ids:score"
SCOPE_IDS_ANALYST = "ids:analyst"
# Promote, shadow and roll back model versions: staff sessions and keys given it, not analysts.
SCOPE_IDS_MODELS = "ids:models"
SCOPES: tuple[str, ...] = (
    SCOPE_TELEMETRY_WRITE,
    SCOPE_TELEMETRY_READ,
    SCOPE_IDS_SCORE,
    SCOPE_IDS_ANALYST,
    SCOPE_IDS_MODELS,
)
SCOPES_NEEDING_ROBOT = frozenset({SCOPE_TELEMETRY_WRITE})
# Members of this Django group get `ids:analyst` when signed in (the APIs read it by name).
ANALYST_GROUP = "IDS analysts"


def parse_scopes(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Scopes from the stored comma-separated text (or any iterable), validated and sorted.

    Raises ValueError naming the unknown scopes.
    """
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    scopes = {item.strip() for item in items if item and item.strip()}
    unknown = sorted(scopes - set(SCOPES))
    if unknown:
        raise ValueError(f"unknown scope(s): {', '.join(unknown)}; known: {', '.join(SCOPES)}")
    return tuple(sorted(scopes))


def format_scopes(scopes: str | Iterable[str]) -> str:
    """The canonical stored form: validated, de-duplicated, sorted, comma-separated."""
    return ",".join(parse_scopes(scopes))


def has_scope(stored_scopes: str | Iterable[str], scope: str) -> bool:
    try:
        return scope in parse_scopes(stored_scopes)
    except ValueError:
        return False


def session_scopes(is_staff: bool, groups: Iterable[str]) -> frozenset[str]:
    """A signed-in user's scopes: every one for staff; reading their own robots' telemetry,
    and analyst queries for members of ANALYST_GROUP."""
    if is_staff:
        return frozenset(SCOPES)
    scopes = {SCOPE_TELEMETRY_READ}
    if ANALYST_GROUP in groups:
        scopes.add(SCOPE_IDS_ANALYST)
    return frozenset(scopes)


def grantable_scopes(is_staff: bool, groups: Iterable[str]) -> frozenset[str]:
    """What a user's API keys may carry: analyst queries only for analysts, model changes
    only for staff. A key's scopes count only within these, so a key issued before its
    owner left the analysts' group loses them."""
    if is_staff:
        return frozenset(SCOPES)
    granted = set(SCOPES) - {SCOPE_IDS_ANALYST, SCOPE_IDS_MODELS}
    if ANALYST_GROUP in groups:
        granted.add(SCOPE_IDS_ANALYST)
    return frozenset(granted)
