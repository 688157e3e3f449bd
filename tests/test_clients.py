"""The client address: X-Forwarded-For believed only as far as trusted proxies added it."""

import pytest

from portal.certificates.verify import LOOKUPS_PER_WINDOW, Throttled, certificate_verify
from portal.clients import client_address, proxy_networks
from portal.settings import Settings

NO_PROXIES = proxy_networks("")


def test_a_forwarded_header_from_an_untrusted_peer_is_ignored():
    assert client_address("203.0.113.7", "198.51.100.1", NO_PROXIES) == "203.0.113.7"
    assert client_address("127.0.0.1", "198.51.100.1", NO_PROXIES) == "127.0.0.1"


def test_a_trusted_proxy_reveals_the_hop_it_added_and_no_more():
    proxies = proxy_networks("127.0.0.1, 10.0.0.0/8")
    # The client sent a made-up first entry; the proxy appended the real peer.
    assert client_address("127.0.0.1", "1.2.3.4, 203.0.113.7", proxies) == "203.0.113.7"
    # Two trusted proxies in a row: the first untrusted hop from the right is the client.
    assert client_address("127.0.0.1", "1.2.3.4, 203.0.113.7, 10.1.2.3", proxies) == "203.0.113.7"
    assert client_address("127.0.0.1", "", proxies) == "127.0.0.1"


def test_the_trusted_proxies_setting_refuses_what_is_not_an_address():
    with pytest.raises(ValueError, match="trusted_proxies"):
        Settings(trusted_proxies="10.0.0.1, proxy.local")
    assert Settings(trusted_proxies="::1, 10.0.0.0/8").trusted_proxy_networks()


def test_a_new_forwarded_header_does_not_buy_more_verification_lookups(session):
    def lookup(i: int) -> None:
        spoofed = f"198.51.100.{i}"
        address = client_address("203.0.113.7", spoofed, NO_PROXIES)
        certificate_verify(session=session, number="CE-AAAAAAAAAAAA", client_keys=[f"ip:{address}"])

    for i in range(LOOKUPS_PER_WINDOW):
        lookup(i)
    with pytest.raises(Throttled):
        lookup(LOOKUPS_PER_WINDOW)
