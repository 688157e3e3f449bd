"""A Home run reads as much for a person with three enrollments as for one with one."""

from tests.apptest import app_as
from tests.factories_home import participant_busy, queries_counted


def test_a_home_run_reads_as_much_for_three_enrollments_as_for_one(app_env, session):
    counts = []
    for enrollments, sessions in ((1, 1), (3, 3)):
        at = app_as(participant_busy(session, enrollments, sessions), "participant_home.py")
        assert not at.exception
        with queries_counted() as seen:
            at.run()
        assert not at.exception
        assert len(at.get("download_button")) == enrollments  # every enrollment was shown
        counts.append(seen)
    assert len(counts[0]) == len(counts[1]), counts
