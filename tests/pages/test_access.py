"""Every page under every role: the menu shows only the role's pages, and each page refuses
everyone else by itself (a page reached directly must not rely on the menu)."""

from pathlib import Path

import pytest

from portal.navigation import PAGES, pages_for
from tests.apptest import app_as, page_alone, texts
from tests.factories import enrollment_make, offering_make, user_make

ROLES = ("participant", "instructor", "admin")
PROTECTED = [p for p in PAGES if "anonymous" not in p.roles]


@pytest.fixture
def people(session):
    offering = offering_make(session)
    people = {role: user_make(session, role=role) for role in ROLES}
    enrollment_make(session, people["participant"], offering)
    session.commit()
    return people


@pytest.mark.parametrize("page", PROTECTED, ids=lambda p: p.script)
def test_signed_out_visitors_see_no_protected_page(app_env, page):
    at = page_alone(None, page.script)
    assert not at.exception
    assert "Please sign in to see this page." in texts(at)
    assert not at.title or at.title[0].value != page.title


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PROTECTED, ids=lambda p: p.script)
def test_each_page_under_each_role(app_env, people, role, page):
    allowed = role in page.roles
    at = app_as(people[role], page.script) if allowed else page_alone(people[role], page.script)
    assert not at.exception, at.exception
    refused = "This page is not available to your role." in texts(at)
    assert refused != allowed


@pytest.mark.parametrize("role", ROLES)
def test_the_menu_lists_only_the_roles_pages(role):
    titles = {p.title for p in pages_for(role)}
    assert "Sign in" not in titles and "Profile" in titles
    if role != "admin":
        assert "Admin home" not in titles
    if role != "participant":
        assert "Home" not in titles


def test_every_page_script_is_listed_once_and_exists():
    scripts = [p.script for p in PAGES]
    titles = [p.title for p in PAGES]
    assert len(scripts) == len(set(scripts)) and len(titles) == len(set(titles))
    assert all(Path(p.path).is_file() for p in PAGES)
