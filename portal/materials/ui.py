"""Streamlit helpers that show a material and a completion checkbox."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitAPIException

from portal import ui
from portal.courses.markdown_text import markdown_without_html
from portal.failures import failure_record
from portal.learning import progress
from portal.logs import logger
from portal.materials.access import MaterialsConfig, materials_config
from portal.materials.queries import MaterialView
from portal.materials.uploads import size_text
from portal.storage import blob_available

log = logger(__name__)
UNAVAILABLE = (
    "This file is unavailable right now. The rest of the course works; "
    "please try again later or tell the CE office."
)
_reported_missing: set[str] = set()

# Media up to this size get their player straight away; larger ones on request, so a page
# run does not read hundreds of megabytes unless the person wants to play them.
INLINE_PLAYER_BYTES = 20 * 1024 * 1024
MARKDOWN_INLINE_BYTES = 300 * 1024
KIND_ICONS = {
    "pdf": ":material/picture_as_pdf:",
    "audio": ":material/headphones:",
    "video": ":material/movie:",
    "image": ":material/image:",
    "markdown": ":material/description:",
    "link": ":material/link:",
}


def config() -> MaterialsConfig:
    """The materials configuration from the app's settings."""
    return materials_config(ui.settings())


def download(m: MaterialView, key: str) -> None:
    """A download button that reads the file only when clicked."""
    if m.path is None or m.file_name is None:
        return
    st.download_button(
        f"Download {m.file_name} ({size_text(m.size or 0)})",
        data=partial(Path(m.path).read_bytes),
        file_name=m.file_name,
        mime=m.mime,
        key=f"dl_{key}_{m.id}",
        icon=":material/download:",
        on_click="ignore",
    )


def _player_wanted(m: MaterialView, key: str) -> bool:
    if (m.size or 0) <= INLINE_PLAYER_BYTES:
        return True
    return st.toggle(f"Load the player ({size_text(m.size or 0)})", key=f"play_{key}_{m.id}")


def material_show(m: MaterialView, key: str) -> None:
    """Title, description and the material itself: player, preview, note or link.

    A file missing from storage (or unreadable) is shown as unavailable for this one item;
    the rest of the page renders.
    """
    st.markdown(f"{KIND_ICONS[m.kind]} **{ui.escape_markdown(m.title)}**")
    if m.description:
        st.markdown(markdown_without_html(m.description))
    if m.kind == "link" and m.url:
        st.link_button("Open link", m.url, icon=":material/open_in_new:")
        st.caption(ui.escape_markdown(m.url))
        return
    if m.path is None:
        return
    if not blob_available(Path(m.path), config().remote):
        _unavailable(m, None)
        return
    try:
        _file_show(m, key)
    except (OSError, StreamlitAPIException) as error:
        _unavailable(m, error)


def _unavailable(m: MaterialView, error: BaseException | None) -> None:
    if error is None:
        if m.path not in _reported_missing:  # one log line per file and process, not per view
            _reported_missing.add(m.path)
            log.error("material %s: its file is missing from storage (%s)", m.id, m.path)
        st.warning(UNAVAILABLE, icon=":material/hide_source:")
        return
    failure = failure_record(error, f"showing material {m.id}")
    st.warning(f"{UNAVAILABLE} (Error id: {failure.error_id})", icon=":material/hide_source:")


def _file_show(m: MaterialView, key: str) -> None:
    assert m.path is not None
    if m.kind == "audio" and _player_wanted(m, key):
        st.audio(m.path, format=m.mime or "audio/mpeg")
    elif m.kind == "video" and _player_wanted(m, key):
        st.video(m.path, format=m.mime or "video/mp4")
    elif m.kind == "image":
        st.image(m.path, caption=m.title)
    elif m.kind == "pdf" and st.toggle("Preview", key=f"preview_{key}_{m.id}"):
        st.pdf(m.path, height=600)
    elif m.kind == "markdown" and (m.size or 0) <= MARKDOWN_INLINE_BYTES:
        with st.container(border=True):
            st.markdown(markdown_without_html(Path(m.path).read_text(encoding="utf-8")))
    download(m, key)


def done_checkbox(item: progress.ItemView, user_id: int, enrollment_id: int) -> None:
    """A 'complete' checkbox saved for this participant; a refusal is shown, not retried."""
    label = "Complete" if item.material else item.label
    checked = st.checkbox(label, value=item.done, key=f"done_{enrollment_id}_{item.key}")
    if checked == item.done:
        return
    cfg = config()
    saved = ui.submit(
        "progress", progress.progress_mark, user_id=user_id, enrollment_id=enrollment_id,
        item_key=item.key, done=checked, content_dir=cfg.content_dir, storage_dir=cfg.storage_dir,
    )  # fmt: skip
    if saved is not None:
        st.rerun()
    ui.form_error("progress")


def progress_bar(done: int, total: int, label: str, key: str) -> None:
    """A progress bar with 'x of y complete'."""
    if total:
        st.progress(done / total, text=f"{label}: {done} of {total} complete")
