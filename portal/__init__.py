"""Participant portal for continuing-education workshops."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
