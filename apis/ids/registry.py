"""The model registry: every version with its card and artifact, the one that serves, the
one that runs in shadow, and who changed that and when.

Kept in the IDS database (not on a replica's disk), so every replica serves the same
version and a promotion reaches them all (apis.ids.serving polls the state). A version is
registered once: the same version name with other bytes is refused, so a name always
means one artifact. The artifact's SHA-256 is checked against its card when registered and
again whenever a replica loads it.

Actions, each recorded in ``ids_model_events``:

- ``promote V``: V serves from now on; the version it replaces is kept as ``previous``. A
  version in shadow that is promoted leaves the shadow slot.
- ``rollback``: ``previous`` serves again (and the version it replaces becomes
  ``previous``, so a second rollback undoes the first).
- ``shadow V`` / ``unshadow``: V scores every request beside the active version; its
  verdicts are stored (``ids_shadow_predictions``), never returned.

``python -m apis.ids.registry --help`` does the same from a shell.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    and_,
    case,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from apis.ids.artifact import (
    CONFUSION_MATRIX_NAME,
    METADATA_NAME,
    ModelLoadError,
    parse_metadata,
    read_metadata,
    sha256_bytes,
    verify_artifact,
)
from apis.ids.features import CLASSES
from apis.ids.scoring import BatchScores, IdsModel
from apis.ids.store import (
    CONFIRMED_ATTACK,
    FALSE_POSITIVE,
    MODEL_VERSION_MAX_LENGTH,
    SOURCE_MAX_LENGTH,
    VERDICTS,
    metadata,
    now_ms,
    predictions,
    triage,
)

_Id = BigInteger().with_variant(Integer(), "sqlite")
_Version = String(MODEL_VERSION_MAX_LENGTH)
STATE_ID = 1
# Who registers the model a deployment ships with (IDS_MODEL_DIR) at start-up.
DEPLOYMENT = "deployment"
PROMOTE, ROLLBACK, SHADOW, UNSHADOW, REGISTER = (
    "promote",
    "rollback",
    "shadow",
    "unshadow",
    "register",
)
EVENTS_SHOWN = 20

model_versions = Table(
    "ids_model_versions",
    metadata,
    Column("version", _Version, primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("artifact", LargeBinary, nullable=False),
    Column("card", Text, nullable=False),  # metadata.json as written by training
    Column("confusion_svg", Text, nullable=True),
    Column("registered_ms", BigInteger, nullable=False),
    Column("registered_by", String(SOURCE_MAX_LENGTH), nullable=False),
)
# One row (id 1): what serves, what shadows, what a rollback restores.
model_state = Table(
    "ids_model_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("active", _Version, ForeignKey("ids_model_versions.version")),
    Column("shadow", _Version, ForeignKey("ids_model_versions.version")),
    Column("previous", _Version, ForeignKey("ids_model_versions.version")),
    Column("changed_ms", BigInteger, nullable=False),
)
model_events = Table(
    "ids_model_events",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("at_ms", BigInteger, nullable=False),
    Column("action", String(12), nullable=False),
    Column("version", _Version, nullable=True),
    Column("previous", _Version, nullable=True),
    Column("by", String(SOURCE_MAX_LENGTH), nullable=False),
)
shadow_predictions = Table(
    "ids_shadow_predictions",
    metadata,
    Column(
        "prediction_id",
        _Id,
        ForeignKey("ids_predictions.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("model_version", _Version, nullable=False),
    Column("verdict", String(8), nullable=False),
    Column("category", String(8), nullable=False),
    Column("score", Float, nullable=False),
    Index("ix_ids_shadow_predictions_version", "model_version"),
)


class RegistryError(Exception):
    """A registry action that cannot be done; ``status`` is the HTTP answer that fits."""

    status = 409


class UnknownVersion(RegistryError):
    status = 404


@dataclass(frozen=True, slots=True)
class RegistryState:
    active: str | None
    shadow: str | None
    previous: str | None
    changed_ms: int | None

    def status_of(self, version: str) -> str:
        if version == self.active:
            return "active"
        if version == self.shadow:
            return "shadow"
        return "previous" if version == self.previous else "inactive"


@dataclass(frozen=True, slots=True)
class StoredVersion:
    version: str
    sha256: str
    size_bytes: int
    card: dict[str, Any]
    registered_ms: int
    registered_by: str


@dataclass(frozen=True, slots=True)
class Event:
    at_ms: int
    action: str
    version: str | None
    previous: str | None
    by: str


@dataclass(frozen=True, slots=True)
class ShadowComparison:
    """How a shadow version's verdicts compare with those served, on the same requests."""

    version: str
    scored: int
    agreed: int  # same verdict as the version that served
    alerts: int  # shadow's attack verdicts
    served_alerts: int  # the served verdicts' attacks on the same records
    confirmed: int  # labelled confirmed_attack
    confirmed_caught: int  # ... that the shadow called attack
    false_positives: int  # labelled false_positive
    false_positives_raised: int  # ... that the shadow called attack too


# -- reading ------------------------------------------------------------------------


def state(engine: Engine) -> RegistryState:
    with engine.connect() as connection:
        return _state(connection)


def _state(connection: Connection) -> RegistryState:
    row = connection.execute(select(model_state).where(model_state.c.id == STATE_ID)).first()
    if row is None:
        return RegistryState(None, None, None, None)
    return RegistryState(row.active, row.shadow, row.previous, row.changed_ms)


def versions(engine: Engine) -> list[StoredVersion]:
    """Every stored version, newest registration first (cards without the artifacts)."""
    columns = (
        model_versions.c.version,
        model_versions.c.sha256,
        func.length(model_versions.c.artifact).label("size_bytes"),
        model_versions.c.card,
        model_versions.c.registered_ms,
        model_versions.c.registered_by,
    )
    query = select(*columns).order_by(
        model_versions.c.registered_ms.desc(), model_versions.c.version.desc()
    )
    with engine.connect() as connection:
        return [
            StoredVersion(
                row.version,
                row.sha256,
                row.size_bytes,
                json.loads(row.card),
                row.registered_ms,
                row.registered_by,
            )
            for row in connection.execute(query)
        ]


def card(engine: Engine, version: str) -> dict[str, Any]:
    with engine.connect() as connection:
        text = connection.execute(
            select(model_versions.c.card).where(model_versions.c.version == version)
        ).scalar()
    if text is None:
        raise UnknownVersion(f"No model version {version!r} is registered.")
    result: dict[str, Any] = json.loads(text)
    return result


def confusion_svg(engine: Engine, version: str) -> str | None:
    with engine.connect() as connection:
        return connection.execute(
            select(model_versions.c.confusion_svg).where(model_versions.c.version == version)
        ).scalar()


def events(engine: Engine, limit: int = EVENTS_SHOWN) -> list[Event]:
    query = select(model_events).order_by(model_events.c.id.desc()).limit(limit)
    with engine.connect() as connection:
        return [
            Event(row.at_ms, row.action, row.version, row.previous, row.by)
            for row in connection.execute(query)
        ]


def load_model(engine: Engine, version: str) -> IdsModel:
    """The stored version, its artifact checked against the hash it was registered with and
    against its card's. Raises UnknownVersion, or ModelLoadError (fit for a health check)."""
    with engine.connect() as connection:
        row = connection.execute(
            select(model_versions.c.sha256, model_versions.c.artifact, model_versions.c.card).where(
                model_versions.c.version == version
            )
        ).first()
    if row is None:
        raise UnknownVersion(f"No model version {version!r} is registered.")
    origin = f"registered version {version}"
    card_ = parse_metadata(row.card, origin=origin)
    if card_["artifact"]["sha256"] != row.sha256:
        raise ModelLoadError(f"{origin}: its card and its registration disagree on the SHA-256")
    return IdsModel.from_bytes(bytes(row.artifact), card_, origin=origin)


def shadow_comparisons(engine: Engine) -> dict[str, ShadowComparison]:
    """Per version that ever ran in shadow: agreement with the served verdicts and what it
    would have done on the cases analysts labelled."""
    s, p, t = shadow_predictions.c, predictions.c, triage.c
    shadow_attack = s.verdict == VERDICTS[1]
    served_attack = p.verdict == VERDICTS[1]

    def count(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = (
        select(
            s.model_version,
            func.count().label("scored"),
            count(s.verdict == p.verdict).label("agreed"),
            count(shadow_attack).label("alerts"),
            count(served_attack).label("served_alerts"),
            count(t.label == CONFIRMED_ATTACK).label("confirmed"),
            count(and_(t.label == CONFIRMED_ATTACK, shadow_attack)).label("confirmed_caught"),
            count(t.label == FALSE_POSITIVE).label("false_positives"),
            count(and_(t.label == FALSE_POSITIVE, shadow_attack)).label("fp_raised"),
        )
        .select_from(
            shadow_predictions.join(predictions, p.id == s.prediction_id).outerjoin(
                triage, t.prediction_id == s.prediction_id
            )
        )
        .group_by(s.model_version)
    )
    with engine.connect() as connection:
        return {
            row.model_version: ShadowComparison(
                row.model_version,
                row.scored,
                row.agreed,
                row.alerts,
                row.served_alerts,
                row.confirmed,
                row.confirmed_caught,
                row.false_positives,
                row.fp_raised,
            )
            for row in connection.execute(query)
        }


# -- writing ------------------------------------------------------------------------


def read_model_dir(model_dir: Path) -> tuple[IdsModel, bytes, str | None]:
    """The model a training run wrote into `model_dir`, loaded (hash, trusted types,
    classes, feature schema), with its artifact's bytes and its confusion-matrix SVG."""
    card_ = read_metadata(model_dir)
    path = model_dir / card_["artifact"]["file"]
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelLoadError(f"model artifact unreadable: {path}: {exc}") from None
    model = IdsModel.from_bytes(data, card_, origin=str(model_dir / METADATA_NAME))
    svg_path = model_dir / CONFUSION_MATRIX_NAME
    return model, data, svg_path.read_text() if svg_path.is_file() else None


def register(engine: Engine, model_dir: Path, *, by: str) -> tuple[StoredVersion, bool]:
    """Store the model a training run wrote into `model_dir`; (version, newly stored).

    The model is loaded first, so a version that could not serve is never registered.
    Registering the same bytes again is a no-op; the same version name with other bytes is
    refused.
    """
    model, data, svg = read_model_dir(model_dir)
    return register_bytes(engine, data, model.metadata, svg, by=by)


def register_bytes(
    engine: Engine, data: bytes, card_: dict[str, Any], svg: str | None, *, by: str
) -> tuple[StoredVersion, bool]:
    """Store a model already loaded and checked (as IdsModel does)."""
    verify_artifact(data, card_, origin="its card")
    version = str(card_["version"])
    if not version or len(version) > MODEL_VERSION_MAX_LENGTH:
        raise RegistryError(f"A version name has 1 to {MODEL_VERSION_MAX_LENGTH} characters.")
    sha = sha256_bytes(data)
    try:
        return _insert_version(engine, version, sha, data, card_, svg, by)
    except IntegrityError:  # another replica registered it meanwhile: compare with theirs
        return _insert_version(engine, version, sha, data, card_, svg, by)


def _insert_version(
    engine: Engine,
    version: str,
    sha: str,
    data: bytes,
    card_: dict[str, Any],
    svg: str | None,
    by: str,
) -> tuple[StoredVersion, bool]:
    with engine.begin() as connection:
        existing = connection.execute(
            select(model_versions.c.sha256).where(model_versions.c.version == version)
        ).first()
        if existing is not None:
            if existing.sha256 != sha:
                raise RegistryError(
                    f"Version {version} is already registered with another artifact "
                    f"(SHA-256 {existing.sha256[:12]}…); train with another --version."
                )
            return _stored(connection, version), False
        now = now_ms()
        connection.execute(
            insert(model_versions).values(
                version=version,
                sha256=sha,
                artifact=data,
                card=json.dumps(card_),
                confusion_svg=svg,
                registered_ms=now,
                registered_by=by,
            )
        )
        _record(connection, REGISTER, version, None, by, now)
        return _stored(connection, version), True


def _stored(connection: Connection, version: str) -> StoredVersion:
    row = connection.execute(
        select(
            model_versions.c.sha256,
            func.length(model_versions.c.artifact).label("size_bytes"),
            model_versions.c.card,
            model_versions.c.registered_ms,
            model_versions.c.registered_by,
        ).where(model_versions.c.version == version)
    ).one()
    return StoredVersion(
        version,
        row.sha256,
        row.size_bytes,
        json.loads(row.card),
        row.registered_ms,
        row.registered_by,
    )


def _record(
    connection: Connection, action: str, version: str | None, previous: str | None, by: str, at: int
) -> None:
    connection.execute(
        insert(model_events).values(
            at_ms=at, action=action, version=version, previous=previous, by=by
        )
    )


def _locked_state(connection: Connection) -> RegistryState:
    """The state row (the migration creates it), locked until commit where the database can
    (PostgreSQL; SQLite writes one transaction at a time anyway)."""
    query = select(model_state).where(model_state.c.id == STATE_ID)
    if connection.dialect.name != "sqlite":
        query = query.with_for_update()
    row = connection.execute(query).one()
    return RegistryState(row.active, row.shadow, row.previous, row.changed_ms)


def _exists(connection: Connection, version: str) -> None:
    found = connection.execute(
        select(model_versions.c.version).where(model_versions.c.version == version)
    ).first()
    if found is None:
        raise UnknownVersion(f"No model version {version!r} is registered.")


def _save(connection: Connection, **values: str | None) -> None:
    connection.execute(
        update(model_state)
        .where(model_state.c.id == STATE_ID)
        .values(changed_ms=now_ms(), **values)
    )


def promote(engine: Engine, version: str, *, by: str) -> RegistryState:
    with engine.begin() as connection:
        current = _locked_state(connection)
        _exists(connection, version)
        if current.active == version:
            raise RegistryError(f"Version {version} is already the active model.")
        shadow = None if current.shadow == version else current.shadow
        _save(connection, active=version, previous=current.active, shadow=shadow)
        _record(connection, PROMOTE, version, current.active, by, now_ms())
        return _state(connection)


def rollback(engine: Engine, *, by: str) -> RegistryState:
    with engine.begin() as connection:
        current = _locked_state(connection)
        if current.previous is None:
            raise RegistryError("There is no earlier version to roll back to.")
        shadow = None if current.shadow == current.previous else current.shadow
        _save(connection, active=current.previous, previous=current.active, shadow=shadow)
        _record(connection, ROLLBACK, current.previous, current.active, by, now_ms())
        return _state(connection)


def set_shadow(engine: Engine, version: str, *, by: str) -> RegistryState:
    with engine.begin() as connection:
        current = _locked_state(connection)
        _exists(connection, version)
        if current.active == version:
            raise RegistryError(f"Version {version} is the active model; it cannot also shadow.")
        if current.shadow == version:
            raise RegistryError(f"Version {version} already runs in shadow.")
        _save(connection, shadow=version)
        _record(connection, SHADOW, version, current.shadow, by, now_ms())
        return _state(connection)


def clear_shadow(engine: Engine, *, by: str) -> RegistryState:
    with engine.begin() as connection:
        current = _locked_state(connection)
        if current.shadow is None:
            raise RegistryError("No version runs in shadow.")
        _save(connection, shadow=None)
        _record(connection, UNSHADOW, None, current.shadow, by, now_ms())
        return _state(connection)


def seed(engine: Engine, model: IdsModel, data: bytes, svg: str | None) -> RegistryState:
    """At start-up: register the model the deployment ships with, and make it active when
    nothing is (a fresh database). A promoted version stays active across restarts."""
    register_bytes(engine, data, model.metadata, svg, by=DEPLOYMENT)
    with engine.begin() as connection:
        current = _locked_state(connection)
        if current.active is not None:
            return current
        _save(connection, active=model.version)
        _record(connection, PROMOTE, model.version, None, DEPLOYMENT, now_ms())
        return _state(connection)


def store_shadow(
    engine: Engine, prediction_ids: Sequence[int], scores: BatchScores, *, version: str
) -> None:
    rows = [
        {
            "prediction_id": prediction_id,
            "model_version": version,
            "verdict": VERDICTS[is_attack],
            "category": CLASSES[category],
            "score": score,
        }
        for prediction_id, is_attack, category, score in zip(
            prediction_ids,
            scores.is_attack.tolist(),
            scores.category_index.tolist(),
            scores.score.tolist(),
            strict=True,
        )
    ]
    if rows:
        with engine.begin() as connection:
            connection.execute(insert(shadow_predictions), rows)


# -- the command ---------------------------------------------------------------------


def _describe(v: StoredVersion, current: RegistryState) -> str:
    unseen = unseen_detection_macro(v.card)
    figure = f"unseen-attack detection {unseen:.1%}" if unseen is not None else "no LATO figure"
    return (
        f"{v.version:<12} {current.status_of(v.version):<9} {v.sha256[:12]}  "
        f"{v.card.get('trained_at', '?')}  {v.card.get('model', {}).get('candidate', '?')}, "
        f"{figure}"
    )


def unseen_detection_macro(card_: dict[str, Any]) -> float | None:
    validation = card_.get("validation", {})
    selected = validation.get("candidates", {}).get(validation.get("selected"), {})
    value = (selected.get("leave_attack_types_out") or {}).get(
        "detection_rate_macro_over_categories"
    )
    return float(value) if value is not None else None


def main(argv: list[str] | None = None) -> int:
    from apis.common.database import make_engine
    from apis.ids import migrate
    from apis.ids.settings import get_settings

    parser = argparse.ArgumentParser(
        prog="python -m apis.ids.registry",
        description="List, register, promote, shadow and roll back IDS model versions. "
        "Running services pick a change up within a few seconds.",
    )
    parser.add_argument("--database-url", default=None, help="default: IDS_DATABASE_URL")
    parser.add_argument("--by", default="cli", help="who to record in the history")
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="every version, which serves and which shadows")
    add = actions.add_parser("register", help="store a model that training wrote")
    add.add_argument("model_dir", type=Path, help="folder with metadata.json and the artifact")
    actions.add_parser("promote", help="serve a version from now on").add_argument("version")
    actions.add_parser("shadow", help="score beside the active version").add_argument("version")
    actions.add_parser("unshadow", help="stop the shadow version")
    actions.add_parser("rollback", help="serve the previously active version again")
    args = parser.parse_args(argv)

    engine = make_engine(args.database_url or get_settings().database_url)
    try:
        migrate.upgrade(engine)
        if args.action == "register":
            stored, new = register(engine, args.model_dir, by=args.by)
            print(f"{'registered' if new else 'already registered'}: {stored.version}")
        elif args.action == "promote":
            promote(engine, args.version, by=args.by)
        elif args.action == "shadow":
            set_shadow(engine, args.version, by=args.by)
        elif args.action == "unshadow":
            clear_shadow(engine, by=args.by)
        elif args.action == "rollback":
            rollback(engine, by=args.by)
        current = state(engine)
        for stored in versions(engine):
            print(_describe(stored, current))
        if not current.active:
            print("no version is active yet: the service activates the one it ships with")
    except (RegistryError, ModelLoadError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
