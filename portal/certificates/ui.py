"""Streamlit helper for the verification page: who is asking, for the throttle."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx


def verify_client_keys() -> list[str]:
    """Throttle keys of this browser: its address and its Streamlit session.

    Behind a proxy the address is the last X-Forwarded-For entry (the one the proxy added;
    earlier entries are whatever the client sent). Each lookup counts against both keys.
    """
    forwarded = (st.context.headers.get("X-Forwarded-For") or "").split(",")[-1].strip()
    address = forwarded or (st.context.ip_address or "")
    context = get_script_run_ctx()
    keys = [f"ip:{address}" if address else ""]
    keys.append(f"session:{context.session_id}" if context else "")
    return [key for key in keys if key]
