"""Attendance at live sessions: evidence, rules and the status every other capability reads."""
