"""A small Server-Sent Events reader for the live tests (what a browser's EventSource does)."""

from __future__ import annotations

import json
import queue
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Event:
    event: str = "message"
    id: str | None = None
    data: str = ""
    comment: str | None = None

    def json(self) -> Any:
        return json.loads(self.data)


@dataclass
class LiveStream:
    """Reads one `GET live` stream in a thread; events and comments land in `received`."""

    url: str
    headers: dict[str, str]
    received: queue.Queue[Event] = field(default_factory=queue.Queue)
    status: int | None = None
    opened: threading.Event = field(default_factory=threading.Event)
    closed: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._client = httpx.Client(timeout=httpx.Timeout(30, read=60))
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self.opened.wait(30):
            raise TimeoutError(f"no answer from {self.url}")

    def _run(self) -> None:
        try:
            with self._client.stream("GET", self.url, headers=self.headers) as response:
                self.status = response.status_code
                self.opened.set()
                current = Event()
                for line in response.iter_lines():
                    if line == "":
                        if current.data or current.comment is None:
                            self.received.put(current)
                        current = Event()
                    elif line.startswith(":"):
                        self.received.put(Event(event="comment", comment=line[1:].strip()))
                    else:
                        name, _, value = line.partition(":")
                        value = value.removeprefix(" ")
                        if name == "data":
                            current.data = f"{current.data}\n{value}" if current.data else value
                        elif name in ("event", "id"):
                            setattr(current, name, value)
        except (httpx.HTTPError, RuntimeError):
            pass
        finally:
            self.opened.set()
            self.closed.set()

    def readings(self, count: int, timeout: float = 20) -> list[dict[str, Any]]:
        """The next `count` readings (skipping heartbeats), or fail after `timeout` s."""
        found: list[dict[str, Any]] = []
        while len(found) < count:
            try:
                event = self.received.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"got {len(found)} of {count} readings") from None
            if event.event == "reading":
                found.append({**event.json(), "_event_id": event.id})
        return found

    def comments(self, timeout: float) -> list[str]:
        seen: list[str] = []
        try:
            while True:
                event = self.received.get(timeout=timeout)
                if event.event == "comment" and event.comment is not None:
                    seen.append(event.comment)
                    if len(seen) >= 2:
                        return seen
        except queue.Empty:
            return seen

    def close(self) -> None:
        self._client.close()
        self._thread.join(timeout=10)
