from datetime import timedelta

from portal.learning.checklist import checklist_for
from portal.models import utc_now
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_attendance import attendance_make


def test_home_checklist_shows_attendance_per_session(session):
    now = utc_now()
    past = (now - timedelta(days=2), now - timedelta(days=2) + timedelta(hours=3))
    live = (now - timedelta(minutes=10), now + timedelta(hours=2))
    later = (now + timedelta(days=5), now + timedelta(days=5, hours=3))
    offering = offering_make(session, sessions=[past, live, later])
    enrollment = enrollment_make(session, user_make(session), offering)
    items = [i for i in checklist_for(session, enrollment.id) if i.label.startswith("Attend")]
    assert [i.status for i in items] == ["blocked", "todo", "waiting"]
    assert items[1].page == "pages/check_in.py"
    attendance_make(session, enrollment, offering.sessions[0])
    items = [i for i in checklist_for(session, enrollment.id) if i.label.startswith("Attend")]
    assert items[0].status == "done" and "180 minutes" in items[0].detail
