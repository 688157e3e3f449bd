"""A browser session's recent reads: kept for a few seconds, dropped when the person acts."""

from portal import recent_reads
from portal.recent_reads import RecentReads


def test_a_read_is_kept_for_a_few_seconds_then_made_again(reads_clock):
    reads = []
    recent = RecentReads()

    def read() -> int:
        reads.append(1)
        return len(reads)

    assert recent.get("view", read) == 1
    reads_clock[0] += recent_reads.RECENT_SECONDS - 0.1
    assert recent.get("view", read) == 1
    reads_clock[0] += 0.2
    assert recent.get("view", read) == 2


def test_reads_are_kept_apart_by_key_and_dropped_by_clear(reads_clock):
    recent = RecentReads()
    assert recent.get(("view", 1), lambda: "one") == "one"
    assert recent.get(("view", 2), lambda: "two") == "two"
    assert recent.get(("view", 1), lambda: "again") == "one"
    recent.clear()
    assert recent.get(("view", 1), lambda: "fresh") == "fresh"
