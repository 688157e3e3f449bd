"""Home reads a fixed number of queries, however many enrollments and sessions a person has."""

from portal import PROJECT_ROOT
from portal.learning.home import participant_home
from portal.models import utc_now
from tests.factories_home import participant_busy, queries_counted

CONTENT = PROJECT_ROOT / "content"


def _home_queries(session, user) -> list[str]:
    session.expunge_all()  # nothing of the person is loaded already
    with queries_counted() as seen:
        view = participant_home(
            session, user.id, now=utc_now(), content_dir=CONTENT, storage_dir=PROJECT_ROOT
        )
    assert view.enrollments and view.live_now
    return seen


def test_home_reads_as_much_for_three_enrollments_as_for_one(session):
    one = participant_busy(session, enrollments=1, sessions=1)
    three = participant_busy(session, enrollments=3, sessions=3)
    queries = _home_queries(session, three)
    assert len(_home_queries(session, one)) == len(queries), queries
    assert len(queries) <= 10, queries
