"""A browser's side of Streamlit's websocket protocol, enough to sign in, switch pages and submit.

The browser connects to /_stcore/stream with the subprotocol "streamlit", sends BackMsg
rerun_script with a ClientState (page, query string, widget states) and reads ForwardMsgs until
script_finished. Widget ids come from the deltas of the run before. Custom components (the
cookie manager) are answered as the browser would: their value arrives as a widget state.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED = ForwardMsg.ScriptFinishedStatus
# Final statuses of a run; FINISHED_EARLY_FOR_RERUN means another run follows at once.
_DONE = {FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_WITH_COMPILE_ERROR}
_FRAGMENT_DONE = FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY


@dataclass
class Shown:
    """One element the last run put on screen."""

    kind: str
    proto: Any
    fragment_id: str

    @property
    def text(self) -> str:
        """The element's visible text (body or label), if it has any."""
        return getattr(self.proto, "body", "") or getattr(self.proto, "label", "")


@dataclass
class RunResult:
    """What the last script run showed, and everything the runs a request caused showed."""

    elements: list[Shown]
    seen: list[Shown]
    seconds: float

    def find(self, kind: str, text: str = "") -> Shown | None:
        """The first element of a kind whose text contains the given text."""
        return next((e for e in self.elements if e.kind == kind and text in e.text), None)

    def texts(self, kind: str, *, every_run: bool = False) -> list[str]:
        """The texts of every element of a kind (in the last run, or in every run)."""
        return [e.text for e in (self.seen if every_run else self.elements) if e.kind == kind]


ComponentAnswer = Callable[[dict[str, Any]], Any]


@dataclass
class StreamlitBrowser:
    """One browser tab on a Streamlit app."""

    base_url: str  # http://127.0.0.1:PORT
    cookies: dict[str, str] = field(default_factory=dict)
    timezone: str = "America/Los_Angeles"
    client_address: str = ""  # sent as X-Forwarded-For, as a proxy in front would
    pages: dict[str, str] = field(default_factory=dict)  # url path -> page_script_hash
    page_hash: str = ""
    page_name: str = ""
    query_string: str = ""
    on_delta: Callable[[Shown], None] | None = None
    _ws: Any = None
    _reader: asyncio.Task[None] | None = None
    _widgets: dict[str, WidgetState] = field(default_factory=dict)
    _elements: list[Shown] = field(default_factory=list)
    _seen: list[Shown] = field(default_factory=list)
    _finished: asyncio.Queue[int] = field(default_factory=asyncio.Queue)
    _answered: set[str] = field(default_factory=set)
    _fragment_sent: str = ""
    _pending_answers: list[tuple[str, WidgetState]] = field(default_factory=list)
    auto_reruns: dict[str, float] = field(default_factory=dict)  # fragment id -> seconds

    async def connect(self) -> None:
        """Open the websocket as the browser does (same origin, cookies in the handshake)."""
        url = self.base_url.replace("http", "ws", 1) + "/_stcore/stream"
        headers = {"Origin": self.base_url}
        if self.client_address:
            headers["X-Forwarded-For"] = self.client_address
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self._ws = await websockets.connect(
            url,
            subprotocols=["streamlit"],  # type: ignore[list-item]
            additional_headers=headers,
            ping_interval=None,
            max_size=None,
            open_timeout=60,
        )
        self._reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        """Close the tab."""
        if self._reader:
            self._reader.cancel()
        if self._ws is not None:
            await self._ws.close()

    async def run(
        self,
        *,
        page: str | None = None,
        query_string: str | None = None,
        widgets: list[WidgetState] = (),  # type: ignore[assignment]
        fragment_id: str = "",
        timeout: float = 300,
    ) -> RunResult:
        """Ask for a rerun and wait until the runs it causes (component answers too) are done."""
        if page is not None:
            # A page this tab has not seen yet is asked for by its URL path, as on first load.
            self.page_hash = self.pages.get(page, "")
            self.page_name = "" if page in self.pages else page
        if query_string is not None:
            self.query_string = query_string
        started = time.perf_counter()
        self._elements, self._seen = [], []
        await self._send(widgets, fragment_id=fragment_id)
        while True:
            status = await asyncio.wait_for(self._finished.get(), timeout)
            if fragment_id and status == _FRAGMENT_DONE:
                fragment_id = ""
            elif status not in _DONE:
                continue
            if not self._pending_answers:
                break
            # A cookie component reported back: the browser sends its value, which reruns the
            # fragment the component is in (or the whole page).
            (fragment_id, answer), *rest = self._pending_answers
            self._pending_answers = rest
            await self._send([answer], fragment_id=fragment_id)
        return RunResult(list(self._elements), list(self._seen), time.perf_counter() - started)

    async def fragment_rerun(self, fragment_id: str) -> None:
        """The browser's timer for st.fragment(run_every=...): send and do not wait."""
        await self._send([], fragment_id=fragment_id, auto=True)

    def widget(self, kind: str, label: str, result: RunResult) -> Any:
        """The proto of a widget shown by a run, found by its label."""
        shown = result.find(kind, label)
        if shown is None:
            raise LookupError(f"no {kind} labelled {label!r} in {result.texts(kind)}")
        return shown.proto

    async def _send(
        self, widgets: list[WidgetState], *, fragment_id: str = "", auto: bool = False
    ) -> None:
        self._fragment_sent = fragment_id
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = self.page_hash
        state.page_name = self.page_name
        state.fragment_id = fragment_id
        state.is_auto_rerun = auto
        info = state.context_info
        info.timezone = self.timezone
        info.locale = "en-US"
        info.url = f"{self.base_url}/"
        for widget in widgets:
            if not widget.HasField("trigger_value"):
                self._widgets[widget.id] = widget
        kept = [w for w in self._widgets.values() if w.id not in {x.id for x in widgets}]
        state.widget_states.widgets.extend([*kept, *widgets])
        await self._ws.send(message.SerializeToString())

    async def _read(self) -> None:
        async for raw in self._ws:
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            self._handle(msg)

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            if not self._fragment_sent:  # a run of the page: keep only its elements
                self._elements = []
            self._pages_learn(msg.new_session.app_pages)
            if not self.page_hash:
                self.page_hash = msg.new_session.page_script_hash
        elif kind == "navigation":
            self._pages_learn(msg.navigation.app_pages)
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
            self.page_name = ""
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._element(msg.delta.new_element, msg.delta.fragment_id)
        elif kind == "auto_rerun":
            self.auto_reruns[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
        elif kind == "script_finished":
            self._finished.put_nowait(msg.script_finished)

    def _pages_learn(self, pages: Any) -> None:
        for page in pages:
            self.pages[page.url_pathname] = page.page_script_hash

    def _element(self, element: Element, fragment_id: str) -> None:
        kind = element.WhichOneof("type") or ""
        shown = Shown(kind, getattr(element, kind), fragment_id)
        self._elements.append(shown)
        self._seen.append(shown)
        if kind == "component_instance":
            self._component(shown.proto, fragment_id)
        if self.on_delta is not None:
            self.on_delta(shown)

    def _component(self, component: Any, fragment_id: str) -> None:
        """Answer the cookie manager as its JavaScript does, once per component instance."""
        if "cookie_manager" not in component.component_name or component.id in self._answered:
            return
        self._answered.add(component.id)
        args = json.loads(component.json_args or "{}")
        method = args.get("method")
        if method == "getAll":
            value: Any = dict(self.cookies)
        elif method == "set":
            self.cookies[args["cookie"]] = str(args["value"])
            value = True
        elif method == "delete":
            self.cookies.pop(args.get("cookie", ""), None)
            value = True
        else:
            value = self.cookies.get(args.get("cookie", ""))
        answer = WidgetState(id=component.id, json_value=json.dumps(value))
        self._pending_answers.append((fragment_id, answer))


def text_value(widget_id: str, value: str) -> WidgetState:
    """A text input's value."""
    return WidgetState(id=widget_id, string_value=value)


def trigger(widget_id: str) -> WidgetState:
    """A button press (a form's submit button sends the form's values with it)."""
    return WidgetState(id=widget_id, trigger_value=True)
