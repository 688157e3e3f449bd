"""`make load`: real Streamlit sessions over the websocket against the portal as production runs it."""
