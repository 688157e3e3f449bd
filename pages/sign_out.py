"""Everyone signed in: sign out of the portal on this browser, and end every other sign-in."""

import streamlit as st

from portal.accounts.ui import require_role, sign_out

user = require_role("participant", "instructor", "admin")
st.title("Sign out")
st.write(
    "Signing out ends your sign-in on this browser and on every other device where you are "
    "signed in. Your records and answers are kept."
)
if st.button("Sign out", key="sign_out", type="primary", icon=":material/logout:"):
    sign_out(user)
    st.rerun()
