"""Enrollment."""
