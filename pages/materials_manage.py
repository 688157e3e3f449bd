"""Instructors and admins upload and arrange a course's (or one offering's) materials."""

import streamlit as st

from portal import ui
from portal.accounts.ui import require_role
from portal.courses.content import course_get
from portal.materials import queries as materials_queries
from portal.materials import services as materials
from portal.materials import ui as ui_materials
from portal.materials.access import placements
from portal.materials.uploads import megabytes, size_text
from portal.timefmt import format_instant

user = require_role("instructor", "admin")
ui.show_flash()
st.title("Course materials")
scopes = ui.query(materials_queries.manage_scopes, user_id=user.id)
if not scopes:
    st.info("You are not assigned to an offering yet. The CE office assigns instructors.")
    ui.stop()
scope = st.selectbox("Materials for", scopes, format_func=lambda s: s.label, key="manage_scope")
cfg = ui_materials.config()
options = placements(course_get(cfg.content_dir, scope.course_slug))
where = {"course_slug": scope.course_slug, "offering_id": scope.offering_id}
st.caption(f"{cfg.limits.text()} The type is read from the file's content.")


def placement_select(key: str, current: str = "general") -> str:
    """Where in the course a material goes."""
    keys = list(options)
    return st.selectbox(
        "Place in", keys, index=keys.index(current) if current in keys else 0,
        format_func=options.get, key=key,
    )  # fmt: skip


def done(result: object, message: str) -> None:
    """Flash on success, then rerun so messages show beside the fields."""
    if result is not None:
        ui.flash(message)
    st.rerun()


upload_tab, link_tab = st.tabs(["Upload a file", "Add a link"])
with upload_tab, st.form("upload_form", clear_on_submit=True):
    placement = placement_select("upload_placement")
    title = st.text_input("Title (the file name when empty)", key="upload_title")
    ui.field_error("upload", "title")
    description = st.text_area("Description (Markdown)", key="upload_description")
    upload = st.file_uploader(
        "File",
        key="upload_file",
        help=cfg.limits.text(),
        max_upload_size=megabytes(cfg.limits.largest),
    )
    ui.field_error("upload", "file")
    published = st.checkbox("Publish now", key="upload_published")
    if st.form_submit_button("Upload", icon=":material/upload:"):
        done(ui.submit(
            "upload", materials.material_upload, actor_id=user.id, **where, placement=placement,
            title=title, description=description, file_name=upload.name if upload else "",
            stream=upload, published=published, config=cfg,
        ), "Uploaded.")  # fmt: skip
    ui.form_error("upload")
with link_tab, st.form("link_form"):
    placement = placement_select("link_placement")
    title = st.text_input("Title", key="link_title", placeholder="Live session meeting link")
    ui.field_error("link", "title")
    url = st.text_input("Address", key="link_url", placeholder="https://")
    ui.field_error("link", "url")
    description = st.text_area("Description (Markdown)", key="link_description")
    published = st.checkbox("Publish now", key="link_published")
    if st.form_submit_button("Add link", icon=":material/add_link:"):
        done(ui.submit(
            "link", materials.material_link_add, actor_id=user.id, **where, placement=placement,
            title=title, description=description, url=url, published=published, config=cfg,
        ), "Link added.")  # fmt: skip
    ui.form_error("link")


def material_actions(m: materials_queries.MaterialView) -> None:
    """Move, publish and delete buttons for one material."""
    up, down, publish, delete = st.columns(4)
    if up.button("Up", key=f"up_{m.id}", icon=":material/arrow_upward:"):
        done(
            ui.submit("row", materials.material_move, actor_id=user.id, material_id=m.id, step=-1),
            "Moved up.",
        )
    if down.button("Down", key=f"down_{m.id}", icon=":material/arrow_downward:"):
        done(
            ui.submit("row", materials.material_move, actor_id=user.id, material_id=m.id, step=1),
            "Moved down.",
        )
    label = "Unpublish" if m.published else "Publish"
    if publish.button(label, key=f"publish_{m.id}"):
        done(ui.submit("row", materials.material_publish, actor_id=user.id, material_id=m.id,
                       published=not m.published), f"{label}ed “{m.title}”.")  # fmt: skip
    with delete.popover("Delete", icon=":material/delete:"):
        st.write("Participants will no longer see it. An admin can restore it.")
        if st.button("Delete for everyone", key=f"delete_{m.id}", type="primary"):
            done(
                ui.submit("row", materials.material_delete, actor_id=user.id, material_id=m.id),
                f"Deleted “{m.title}”.",
            )


def material_edit(m: materials_queries.MaterialView) -> None:
    """Edit the texts and place, replace the file, and see earlier versions."""
    form = f"edit_{m.id}"
    with st.form(form):
        place = placement_select(f"edit_place_{m.id}", m.placement)
        title = st.text_input("Title", value=m.title, key=f"edit_title_{m.id}")
        ui.field_error(form, "title")
        url = st.text_input("Address", value=m.url, key=f"edit_url_{m.id}") if m.url else None
        ui.field_error(form, "url")
        text = st.text_area("Description", value=m.description, key=f"edit_desc_{m.id}")
        if st.form_submit_button("Save changes"):
            done(ui.submit(form, materials.material_edit, actor_id=user.id, material_id=m.id,
                           title=title, description=text, placement=place, url=url, config=cfg), "Saved.")  # fmt: skip
        ui.form_error(form)
    if m.kind == "link":
        return
    form = f"replace_{m.id}"
    with st.form(form):
        limit = cfg.limits.for_kind(m.kind)
        new = st.file_uploader(
            "Replace with a new file (the old version is kept)",
            key=f"replace_file_{m.id}",
            help=f"A {m.kind} file of at most {size_text(limit)}.",
            max_upload_size=megabytes(limit),
        )
        ui.field_error(form, "file")
        if st.form_submit_button("Replace file"):
            done(ui.submit(form, materials.material_replace, actor_id=user.id, material_id=m.id,
                           file_name=new.name if new else "", stream=new, config=cfg), "Replaced.")  # fmt: skip
        ui.form_error(form)
    versions = ui.query(
        materials_queries.material_versions,
        user_id=user.id,
        material_id=m.id,
        storage_dir=cfg.storage_dir,
    )
    for v in versions:
        st.caption(
            f"Version {v.number}: {v.file_name}, {size_text(v.size)}, uploaded {format_instant(v.uploaded_at, 'UTC')}"
        )


items = ui.query(
    materials_queries.materials_for_scope, user_id=user.id, **where, storage_dir=cfg.storage_dir
)
ui.form_error("row")
if not items:
    st.info("No materials here yet.")
for key, label in options.items():
    here = [m for m in items if m.placement == key]
    if not here:
        continue
    st.subheader(label)
    for m in here:
        with st.container(border=True):
            status = "published" if m.published else "not published"
            version = f" · version {m.version}" if m.version > 1 else ""
            st.caption(f"{m.kind} · {status}{version}")
            ui_materials.material_show(m, "manage")
            material_actions(m)
            with st.expander("Edit, replace, versions", icon=":material/edit:"):
                material_edit(m)
