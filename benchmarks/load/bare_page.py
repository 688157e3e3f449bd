"""A bare one-line Streamlit page: the yardstick for what a portal page run costs."""

import streamlit as st

st.write("Hello")
