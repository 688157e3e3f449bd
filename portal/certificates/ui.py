"""Streamlit helper for the verification page: who is asking, for the throttle."""

from __future__ import annotations

from streamlit.runtime.scriptrunner import get_script_run_ctx

from portal.ui import client_address


def verify_client_keys() -> list[str]:
    """Throttle keys of this browser: its address and its Streamlit session.

    The address comes from X-Forwarded-For only through trusted proxies (portal.clients).
    Each lookup counts against both keys.
    """
    context = get_script_run_ctx()
    keys = [f"ip:{client_address()}"]
    keys.append(f"session:{context.session_id}" if context else "")
    return [key for key in keys if key]
