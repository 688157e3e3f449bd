"""Who is asking: the client address a request came from, for throttles and the audit log.

X-Forwarded-For is written by whoever sends the request, so it is believed only as far as
it was added by proxies the portal is configured to trust: walking the header from the
right, each hop added by a trusted proxy reveals the one before it; the first address not
trusted is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def proxy_networks(setting: str) -> list[Network]:
    """The trusted proxies of a setting like "10.0.0.5, 192.168.0.0/24"; ValueError if bad."""
    return [
        ipaddress.ip_network(part.strip(), strict=False)
        for part in setting.split(",")
        if part.strip()
    ]


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(peer: str, forwarded_for: str, proxies: Sequence[Network]) -> str:
    """The client's address: the peer itself unless it is a trusted proxy."""
    address = peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    while _trusted(address, proxies) and hops:
        address = hops.pop()
    return address
