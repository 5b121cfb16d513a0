"""Which model this process serves, and which runs in shadow, following the registry.

At start-up the model the deployment ships with (IDS_MODEL_DIR) is loaded and its hash
checked; if it fails, the service answers 503 whatever the registry holds, since the
image itself was altered. Otherwise it is registered (a fresh database then serves it) and
the registry's active and shadow versions are loaded. The registry's state is read again
at most every ``poll_seconds``, so a promotion made through another replica or the command
reaches this one within that time; one made through this process applies at once.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from apis.ids import registry
from apis.ids.artifact import ModelLoadError
from apis.ids.scoring import IdsModel

log = logging.getLogger("croody.ids")
REGISTRY_POLL_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class LoadedModel:
    """The model in service, or why there is none (for /healthz and 503 answers)."""

    model: IdsModel | None
    error: str | None
    load_seconds: float
    loaded_at: datetime


class Serving:
    def __init__(
        self, engine: Engine, model_dir: Path, poll_seconds: float = REGISTRY_POLL_SECONDS
    ) -> None:
        self._engine = engine
        self._model_dir = model_dir
        self._poll_seconds = poll_seconds
        self._lock = threading.Lock()
        self._models: dict[str, IdsModel] = {}
        self._checked = 0.0
        self._refused: str | None = None
        self.state = registry.RegistryState(None, None, None, None)
        self.active = LoadedModel(None, "not loaded yet", 0.0, datetime.now(UTC))
        self.shadow: IdsModel | None = None

    def start(self) -> None:
        started = time.perf_counter()
        try:
            model, data, svg = registry.read_model_dir(self._model_dir)
            registry.seed(self._engine, model, data, svg)
        except (ModelLoadError, registry.RegistryError) as exc:
            # Integrity or format: serve 503s and say why, do not crash.
            self._refused = str(exc)
            self.active = LoadedModel(None, str(exc), 0.0, datetime.now(UTC))
            return
        self._models[model.version] = model
        self.refresh(force=True, started=started)

    def current(self) -> LoadedModel:
        self.refresh()
        return self.active

    def refresh(self, *, force: bool = False, started: float | None = None) -> None:
        """Follow the registry's state, loading versions this process has not loaded yet."""
        if self._refused is not None:
            return
        now = time.monotonic()
        if not force and now - self._checked < self._poll_seconds:
            return
        with self._lock:
            if not force and now - self._checked < self._poll_seconds:
                return  # another thread refreshed meanwhile
            try:
                current = registry.state(self._engine)
            except SQLAlchemyError as exc:  # keep serving what we have; /healthz says why
                log.warning("IDS registry unreadable, keeping model versions: %s", exc)
                return
            self._checked = now
            if current == self.state and not force:
                return
            self._apply(current, time.perf_counter() if started is None else started)

    def _apply(self, current: registry.RegistryState, started: float) -> None:
        if current.active is not None and (
            self.active.model is None or self.active.model.version != current.active
        ):
            try:
                model = self.model(current.active)
                self.active = LoadedModel(
                    model, None, time.perf_counter() - started, datetime.now(UTC)
                )
                log.info("IDS model %s serving", current.active)
            except (ModelLoadError, registry.RegistryError) as exc:
                log.error("IDS model %s refused: %s", current.active, exc)
                self.active = LoadedModel(None, str(exc), 0.0, datetime.now(UTC))
        shadow = None
        if current.shadow is not None:
            try:
                shadow = self.model(current.shadow)
            except (
                ModelLoadError,
                registry.RegistryError,
            ) as exc:  # a shadow never affects what is served
                log.error("IDS shadow model %s refused: %s", current.shadow, exc)
        self.shadow = shadow
        self.state = current

    def model(self, version: str) -> IdsModel:
        """A registered version, loaded once per process (for serving and explanations)."""
        model = self._models.get(version)
        if model is None:
            model = registry.load_model(self._engine, version)
            self._models[version] = model
        return model

    def changed(self, current: registry.RegistryState) -> None:
        """Apply a change this process just made (no need to wait for the next poll)."""
        with self._lock:
            self._checked = time.monotonic()
            self._apply(current, time.perf_counter())
