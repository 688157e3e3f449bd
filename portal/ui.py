"""Streamlit helpers shared by the pages: database access, forms, field errors, guards."""

from __future__ import annotations

import base64
import copy
import functools
import html
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal, NoReturn, ParamSpec, TypeVar

import streamlit as st
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from portal.clients import client_address as _client_address
from portal.courses.content import PaymentInfo
from portal.db import SessionFactory, session_factory
from portal.errors import FieldErrors, PortalError
from portal.failures import failure_record
from portal.logs import log_context, logger, logging_configure, request_id_new
from portal.materials.queries import storage_missing_problem
from portal.models import utc_now
from portal.navigation import PageSpec, pages_for
from portal.operations.checks import SERVER, checks_run
from portal.recent_reads import RecentReads
from portal.run_lanes import is_signed_in_run, run_lanes
from portal.runtime import runtime_demo_seed, runtime_start
from portal.settings import Settings, SettingsError, settings_load
from portal.storage import object_store
from portal.text import escape_markdown

T = TypeVar("T")
P = ParamSpec("P")
log = logger(__name__)
NOT_CONFIGURED = (
    "The portal is not configured — the operator has been told. Please try again later."
)


def settings() -> Settings:
    """The settings; a page that cannot run says what to set and stops."""
    try:
        return settings_load()
    except SettingsError as error:
        fail(str(error))


def client_address() -> str:
    """The address of the browser behind this session; X-Forwarded-For only via trusted proxies."""
    peer = st.context.ip_address
    forwarded = st.context.headers.get("X-Forwarded-For")
    # Streamlit reports loopback as None (and a test harness may report no strings at all).
    peer = peer if isinstance(peer, str) and peer else "127.0.0.1"
    forwarded = forwarded if isinstance(forwarded, str) else ""
    return _client_address(peer, forwarded, settings().trusted_proxy_networks())


@functools.cache
def _logging() -> None:
    logging_configure()


# A failing configuration is checked again after this many seconds, so a fixed database or
# folder is noticed without a restart. A good one only every ten minutes: the checks (a new
# database connection, the migration scripts, the signature image) cost a third of a second
# of CPU, paid by whichever page run finds them due, and a fault that arises meanwhile shows
# as the failing read's own message.
CHECK_SECONDS = 30
GOOD_CHECK_SECONDS = 600
Environment = tuple[tuple[str, str], ...]
# (when checked, problems) per environment. A plain dict rather than st.cache_data, which
# hashes the key and copies the value on every run; two runs checking at once is harmless.
_CHECKED: dict[Environment, tuple[float, tuple[str, ...]]] = {}


def _problems(environment: Environment) -> tuple[str, ...]:
    """The configuration's problems per environment, checked again after CHECK_SECONDS while
    there are some, after GOOD_CHECK_SECONDS while there are none."""
    now = time.monotonic()
    checked = _CHECKED.get(environment)
    if checked is not None and now - checked[0] < (
        CHECK_SECONDS if checked[1] else GOOD_CHECK_SECONDS
    ):
        return checked[1]
    problems = tuple(checks_run(SERVER))
    for problem in problems:
        log.error("the portal is not configured: %s", problem)
    if len(_CHECKED) > 8:  # only tests change the environment; keep the memo small
        _CHECKED.clear()
    _CHECKED[environment] = (now, problems)
    return problems


def _not_configured_page() -> None:
    st.title("CE Portal")
    st.warning(NOT_CONFIGURED, icon=":material/build:")


def configured_or_stop() -> None:
    """Serve a plain 'not configured' page (no menu, no details) while the checks fail."""
    _logging()
    environment = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("PORTAL_")))
    if _problems(environment):
        st.navigation([st.Page(_not_configured_page, title="CE Portal")], position="hidden").run()
        st.stop()


@contextmanager
def request_logging(user_id: int | None) -> Iterator[None]:
    """Log lines of this script run carry the browser session's id and the user's id."""
    request_id = st.session_state.get("_request_id") or st.session_state.setdefault(
        "_request_id", request_id_new()
    )
    with log_context(request_id=request_id, user_id=user_id if user_id is not None else "-"):
        yield


def fail(message: str) -> NoReturn:
    """Show an error and end this run of the page."""
    st.error(message)
    stop()


class PageStopped(BaseException):
    """A page ended its run early (ui.stop) inside the entry script's page_frame.

    A BaseException, as Streamlit's own st.stop is: failure boundaries let it pass.
    """


_PAGE_FRAME: ContextVar[bool] = ContextVar("page_frame", default=False)


def stop() -> NoReturn:
    """End this run of the page here; the entry script still ends the run as it always does.

    The entry script draws the cookie components after the page (see
    portal.accounts.ui.browser_cookies); st.stop would end the run before them. A page run
    without the entry script simply stops.
    """
    if _PAGE_FRAME.get():
        raise PageStopped
    st.stop()
    raise AssertionError("unreachable")  # st.stop raises; this keeps type checkers honest


@contextmanager
def page_frame() -> Iterator[None]:
    """Around the page in the entry script: a ui.stop() ends the page, not the whole run."""
    token = _PAGE_FRAME.set(True)
    try:
        yield
    except PageStopped:
        pass
    finally:
        _PAGE_FRAME.reset(token)


def _engine_release(engine: Engine) -> None:
    engine.dispose()


@st.cache_resource(show_spinner="Preparing the database…", on_release=_engine_release)
def _engine(url: str, demo: bool) -> Engine:
    current = settings_load()
    engine = runtime_start(current)
    if demo:
        runtime_demo_seed(current, engine, utc_now())
    with session_factory(engine)() as session:
        problem = storage_missing_problem(session, current.storage_dir, object_store(current))
        if problem:
            log.error("storage check: %s", problem)
    return engine


def _engine_now() -> Engine:
    current = settings()
    return _engine(current.resolved_database_url(), current.is_demo)


def db() -> SessionFactory:
    """Sessions on the configured database, migrated once per process."""
    return session_factory(_engine_now())


class _RunDatabase:
    """The one connection of a script run, taken from the pool on first use and given back
    when the run ends: a run checks out once however many reads and actions it has."""

    def __init__(self) -> None:
        self._connection: Connection | None = None
        self.busy = False  # a session on the connection is open

    def _connect(self) -> Connection:
        if self._connection is not None and self._connection.invalidated:
            self.close()  # it was cut: a new one from the pool
        if self._connection is None:
            self._connection = _engine_now().connect()
        return self._connection

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session on the run's connection; its transaction ends with the block, as a
        session of its own would (SQLite holds its lock, and a snapshot, until then)."""
        session = Session(bind=self._connect(), expire_on_commit=False)
        self.busy = True
        try:
            yield session
        finally:
            self.busy = False
            session.close()

    def close(self) -> None:
        """Give the connection back to the pool."""
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()


_RUN_DATABASE: ContextVar[_RunDatabase | None] = ContextVar("run_database", default=None)


@contextmanager
def run_slot() -> Iterator[None]:
    """Around a run of the entry script: wait for a slot of its lane (portal.run_lanes)."""
    current = settings()
    lanes = run_lanes(current.signed_out_runs, current.signed_in_runs)
    signed_in = is_signed_in_run(st.session_state, st.context.cookies, current.cookie_name)
    with lanes.slot(signed_in=signed_in):
        yield


@contextmanager
def run_database() -> Iterator[None]:
    """Around a run of the entry script: its reads and actions share one connection.

    Fragment reruns and pages run without the entry script use a connection per session.
    """
    run = _RunDatabase()
    token = _RUN_DATABASE.set(run)
    try:
        yield
    finally:
        _RUN_DATABASE.reset(token)
        run.close()


@contextmanager
def _session() -> Iterator[Session]:
    """A session on the run's connection, or (nested, or outside a run) on a pooled one."""
    run = _RUN_DATABASE.get()
    if run is None or run.busy:
        with db()() as session:
            yield session
        return
    with run.session() as session:
        yield session


@contextmanager
def read() -> Iterator[Session]:
    """A session for queries; loaded objects are detached when the block ends."""
    with _session() as session:
        yield session


def query(fn: Callable[..., T], **kwargs: Any) -> T:
    """Run one query function with a fresh session; once more if the connection was cut
    (the pool pings only idle connections, so a cut one may be noticed here)."""
    try:
        with read() as session:
            return fn(session, **kwargs)
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        log.warning("database connection lost; reading again on a new one")
    with read() as session:
        return fn(session, **kwargs)


_RECENT_READS = "_recent_reads"


def query_recent(fn: Callable[..., T], **kwargs: Any) -> T:
    """query(), or the same read made by this browser session within the last few seconds
    (portal.recent_reads); every action through submit() drops them. The other arguments
    name the read and must be hashable; `now`, if given, does not: a kept read is as of then."""
    recent = st.session_state.setdefault(_RECENT_READS, RecentReads())
    named = tuple(item for item in kwargs.items() if item[0] != "now")
    return recent.get((fn, named), lambda: query(fn, **kwargs))


def recent_reads_clear() -> None:
    """Drop this browser session's recent reads: the next run reads afresh."""
    if (recent := st.session_state.get(_RECENT_READS)) is not None:
        recent.clear()


def _errors_key(form: str) -> str:
    return f"_errors_{form}"


def submit(form_key: str, service: Callable[..., T], /, **kwargs: Any) -> T | None:
    """Run a service in one transaction; on refusal keep its messages for the form's fields.

    A service returns (rather than raises) FieldErrors when what it did must still commit,
    such as a counted failed password check.
    """
    st.session_state.pop(_errors_key(form_key), None)
    try:
        with _session() as session, session.begin():
            result = service(session=session, **kwargs)
    except FieldErrors as error:
        errors = error.errors
    except PortalError as error:
        errors = {"_form": str(error)}
    except Exception as error:  # the database or storage failed: words and an id, no detail
        failure = failure_record(error, f"{form_key}: {getattr(service, '__name__', service)}")
        st.session_state[_errors_key(form_key)] = {"_form": failure.text}
        # Rolled back, so nothing changed: the page draws from its recent reads rather than
        # meet the same fault again and show a second error.
        return None
    else:
        errors = result.errors if isinstance(result, FieldErrors) else None
    recent_reads_clear()  # done or refused (a refusal may count an attempt): read afresh
    if errors is None:
        return result
    st.session_state[_errors_key(form_key)] = errors
    return None


@dataclass
class BoundaryOutcome:
    """Whether the block inside a failure boundary failed (its message is shown)."""

    failed: bool = False


def _demo() -> bool:
    try:
        return settings_load().is_demo
    except SettingsError:
        return False


@contextmanager
def failure_boundary(where: str) -> Iterator[BoundaryOutcome]:
    """Run a page or part of one; a failure shows its message and error id, never a traceback.

    Streamlit's own control flow (st.stop, st.rerun, st.switch_page) is not an Exception and
    passes through. In demo mode the details follow the message, for whoever runs the demo.
    """
    outcome = BoundaryOutcome()
    try:
        yield outcome
    except Exception as error:
        outcome.failed = True
        failure = failure_record(error, where)
        st.error(failure.text, icon=":material/error:")
        if _demo():
            st.exception(error)


def failures_shown(where: str) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """Decorate a fragment so that its own reruns show failures as the page boundary does."""

    def decorate(fn: Callable[P, None]) -> Callable[P, None]:
        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> None:
            with failure_boundary(where):
                fn(*args, **kwargs)

        return run

    return decorate


def field_error(form: str, field: str) -> None:
    """Show the message for one field of a form, right below it."""
    message = st.session_state.get(_errors_key(form), {}).get(field)
    if message:
        st.markdown(f":red[{escape_markdown(message)}]")


def form_error(form: str) -> None:
    """Show a message that concerns the whole form."""
    if message := st.session_state.get(_errors_key(form), {}).get("_form"):
        st.error(message)


def form_has_errors(form: str) -> bool:
    """Whether the last submit of the form was refused."""
    return bool(st.session_state.get(_errors_key(form)))


PAGE_SIZE = 50


def pager(key: str, total: int, noun: str, page_size: int = PAGE_SIZE) -> tuple[int, int]:
    """A page picker for a long list: (limit, offset) of the page chosen, with a count shown.

    Long lists are read a page at a time, so a page's cost does not grow with the list.
    """
    pages = max(1, -(-total // page_size))
    page = 1
    if pages > 1:
        page = int(st.number_input(f"Page (of {pages})", 1, pages, 1, key=key))
    first = (page - 1) * page_size
    shown = f"{first + 1}–{min(total, first + page_size)} of {total}" if total else "none"
    st.caption(f"{noun.capitalize()}: {shown}")
    return page_size, first


# Reruns that nobody asked for follow an action (the cookie component reports back after
# sign-in), so a kept message stays for a few seconds instead of for one run.
FLASH_SECONDS = 5.0


def flash(message: str) -> None:
    """Keep a success message to show after the rerun that follows an action."""
    st.session_state["_flash"] = (message, None)


def show_flash() -> None:
    """Show the kept success message; it is forgotten a few seconds after it was first shown."""
    message, until = st.session_state.get("_flash") or (None, None)
    now = time.monotonic()
    if message is None or (until is not None and now > until):
        st.session_state.pop("_flash", None)
        return
    st.session_state["_flash"] = (message, until or now + FLASH_SECONDS)
    st.success(message)


def image_png(data: bytes, *, alt: str, width: int) -> None:
    """A PNG image with alternative text for screen readers (st.image has no alt text)."""
    encoded = base64.b64encode(data).decode("ascii")
    st.markdown(
        f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}" '
        f'width="{width}" style="max-width:100%;height:auto">',
        unsafe_allow_html=True,
    )


def payment_instructions(info: PaymentInfo | None) -> None:
    """How to pay an offering's fee and whom to ask, from the course file."""
    if info is None:
        st.markdown("The CE office records payments; ask it how to pay.")
        return
    st.markdown(f"**How to pay:** {escape_markdown(' '.join(info.instructions.split()))}")
    contact = info.contact
    parts = [
        escape_markdown(contact.name),
        f"[{escape_markdown(contact.email)}](mailto:{contact.email})",
    ]
    if contact.phone:
        parts.append(escape_markdown(contact.phone))
    st.markdown("**Questions about fees:** " + " · ".join(parts))


def flash_rerun(message: str) -> NoReturn:
    """After an action: keep its success message and run the page again to show the result."""
    flash(message)
    st.rerun()
    raise AssertionError("unreachable")  # st.rerun raises


def offering_pick(
    offerings: Sequence[T], *, key: str, label: Callable[[T], str], empty: str, index: int = 0
) -> T:
    """The offering a page works on, chosen among those given; stops saying `empty` if none."""
    if not offerings:
        fail(empty)
    return st.selectbox("Offering", offerings, index=index, format_func=label, key=key)


NOT_ASSIGNED = "You are not assigned to an offering yet. The CE office assigns instructors."


def staff_offering_pick(offerings: Sequence[Any], *, key: str, index: int = 0) -> Any:
    """The offering a teaching page works on, among those the person may run."""
    return offering_pick(
        offerings,
        key=key,
        label=lambda o: f"{o.course_title} — {o.label}",
        empty=NOT_ASSIGNED,
        index=index,
    )


# The menu, built once per role and process: st.Page resolves and checks its script's path,
# which costs more than the rest of the menu. Streamlit marks the Page that st.navigation
# returns as the one to run (and Page.run unmarks it): runs of one browser session take
# turns, those of two sessions do not, so each session keeps copies of its own.
_MENUS: dict[str | None, tuple[tuple[PageSpec, st.Page], ...]] = {}
_SESSION_MENU = "_menu"


def _page_of(spec: PageSpec, default: bool) -> st.Page:
    """The st.Page of a menu entry."""
    visibility: Literal["visible", "hidden"] = "hidden" if spec.hidden else "visible"
    return st.Page(
        spec.path, title=spec.title, icon=spec.icon, default=default, visibility=visibility
    )


def menu(role: str | None) -> list[tuple[PageSpec, st.Page]]:
    """The menu of a role as (spec, st.Page) pairs, the first page the default, kept for the
    browser session; call during a script run (st.Page needs one)."""
    kept = st.session_state.get(_SESSION_MENU)
    if kept is not None and kept[0] == role:
        return kept[1]
    pages = _MENUS.get(role)
    if pages is None:
        specs = pages_for(role)
        pages = _MENUS[role] = tuple((spec, _page_of(spec, spec is specs[0])) for spec in specs)
    copies = [(spec, copy.copy(page)) for spec, page in pages]
    st.session_state[_SESSION_MENU] = (role, copies)
    return copies


def menu_page(role: str, script: str) -> st.Page:
    """The st.Page of a script in a role's menu, for st.page_link: cheaper than a path, which
    Streamlit resolves against the file system on every call."""
    if role not in _MENUS:
        menu(role)  # builds the role's pages once
    return next(page for spec, page in _MENUS[role] if spec.script == script)


# Keyboard focus drawn as a ring on every focusable element (Streamlit shows only a border
# colour on some widgets and nothing on links).
FOCUS_CSS = (
    "<style>:focus-visible{outline:3px solid #1f6f8b !important;"
    "outline-offset:2px !important}</style>"
)


def styles_apply(sidebar_caption: str | None = None) -> None:
    """The portal's one piece of CSS, once per run of the entry script: a visible focus ring.
    It rides in the sidebar's caption (HTML, escaped by its maker) when there is one: each
    element is a message to the browser on every run."""
    if sidebar_caption is None:
        st.html(FOCUS_CSS)
    else:
        st.sidebar.caption(sidebar_caption + FOCUS_CSS, unsafe_allow_html=True)


_PAGE_CONFIG_KEPT = "_page_config_kept"


def page_config_apply() -> None:
    """The tab's title and icon and the wide layout. The browser keeps them for the session,
    so they are sent only until a run has finished: a run cut short can lose its messages."""
    if not st.session_state.get(_PAGE_CONFIG_KEPT):
        st.set_page_config(page_title="CE Portal", page_icon=":material/school:", layout="wide")


def run_finished() -> None:
    """Call last in the entry script: what the run sent has reached the browser's queue."""
    st.session_state[_PAGE_CONFIG_KEPT] = True
