from datetime import UTC, date, datetime
from threading import Barrier, Thread

import pytest
from sqlalchemy import func, select

from portal.db import transaction
from portal.enrollment.services import enrollment_create, enrollment_fee_cents
from portal.errors import PortalError
from portal.models import Enrollment
from tests.factories import offering_make, user_make


@pytest.mark.parametrize(
    ("instant", "fee"),
    [
        (datetime(2023, 4, 19, 6, 59, tzinfo=UTC), 20500),  # 11:59 pm Pacific on April 18
        (datetime(2023, 4, 19, 7, 0, tzinfo=UTC), 22500),  # midnight Pacific: April 19
    ],
)
def test_the_early_bird_date_is_read_in_the_offerings_zone(session, instant, fee):
    offering = offering_make(session, early_deadline=date(2023, 4, 18))
    assert enrollment_fee_cents(offering, instant) == fee


def test_enrolling_twice_keeps_one_enrollment(session):
    user, offering = user_make(session), offering_make(session)
    first = enrollment_create(session=session, user_id=user.id, offering_id=offering.id)
    again = enrollment_create(session=session, user_id=user.id, offering_id=offering.id)
    assert first.id == again.id


def test_a_cancelled_offering_refuses_enrollment(session):
    user, offering = user_make(session), offering_make(session, status="cancelled")
    with pytest.raises(PortalError, match="cancelled"):
        enrollment_create(session=session, user_id=user.id, offering_id=offering.id)


def test_concurrent_double_clicks_leave_one_enrollment(factory, session):
    user, offering = user_make(session), offering_make(session)
    session.commit()
    barrier, errors = Barrier(4), []

    def click():
        barrier.wait()
        try:
            with transaction(factory) as s:
                enrollment_create(session=s, user_id=user.id, offering_id=offering.id)
        except Exception as error:
            errors.append(error)

    threads = [Thread(target=click) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with factory() as check:
        assert check.scalar(select(func.count()).select_from(Enrollment)) == 1
