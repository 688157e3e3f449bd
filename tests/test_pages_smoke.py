from tests.apptest import app_as, texts
from tests.factories import enrollment_make, offering_make, user_make


def test_participant_home(app_env, session):
    user = user_make(session, full_name="Zoë Nguyễn")
    offering = offering_make(session)
    enrollment_make(session, user, offering)
    session.commit()
    at = app_as(user, "participant_home.py")
    assert not at.exception
    print(texts(at))
    assert "Welcome, Zoë Nguyễn" in texts(at)
