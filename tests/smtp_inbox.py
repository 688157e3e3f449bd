"""A local SMTP server's handler for tests (aiosmtpd): keeps every message it accepted."""

from __future__ import annotations

import asyncio
import threading
from email import message_from_bytes


class Inbox:
    """Keeps every message the server accepted; optionally slow to answer DATA (`receiving`
    is set once a message's DATA has arrived and its answer is being held back)."""

    def __init__(self, data_delay: float = 0.0) -> None:
        self.messages: list = []
        self.data_delay = data_delay
        self.receiving = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.receiving.set()
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"
