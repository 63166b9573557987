"""The network guard's rule, URL by URL: network hosts pass, everything else is refused."""

from __future__ import annotations

import pytest

from crawler.navigation.links import refusal_reason

START = frozenset({"news.example.org", "localhost", "2130706433"})


@pytest.mark.parametrize("url", [
    "https://www.spacewar.com/reports/X_999.html",
    "http://spacedaily.com/feed/",
    "https://WWW.SPACEWAR.COM:443/index.html",
    "https://www.spxdaily.com/images-hg/x.jpg",
    "https://news.example.org/a.html",  # the host of an explicit start URL
])
def test_allowed(url: str) -> None:
    assert refusal_reason(url, START) is None


@pytest.mark.parametrize(("url", "reason"), [
    ("http://127.0.0.1/", "ip_address"),
    ("http://[::1]:8080/", "ip_address"),
    ("http://[fe80::1%25eth0]/", "ip_address"),
    ("http://169.254.169.254/latest/meta-data/", "ip_address"),
    ("http://2130706433/", "ip_address"),  # even as a start host: numeric forms are IPs
    ("http://0x7f.0x0.0x0.0x1/", "ip_address"),
    ("http://localhost/", "loopback"),  # even as a start host: only MIRROR_URL reaches it
    ("http://api.localhost./", "loopback"),
    ("https://spacewar.com.evil.example/", "offsite"),
    ("https://evil-spacewar.com/", "offsite"),
    ("https://www.spacewar.com@evil.example/", "userinfo"),
    ("https://evil.example\\@www.spacewar.com/", "userinfo"),
    ("https://user:pw@www.spacewar.com/", "userinfo"),
    ("file:///etc/passwd", "scheme"),
    ("FILE:///etc/passwd", "scheme"),
    ("ftp://www.spacewar.com/x", "scheme"),
    ("data:text/html,hi", "scheme"),
    ("javascript:alert(1)", "scheme"),
    ("http:///nohost", "malformed"),
    ("http://[::1/", "malformed"),
])
def test_refused(url: str, reason: str) -> None:
    assert refusal_reason(url, START) == reason


def test_ip_literals_are_told_as_ipaddress_and_the_whatwg_forms_tell_them() -> None:
    """is_ip_literal answers a host with a character no IPv4 form holds without parsing it;
    on random hosts its answer must be the one of its two parsers (ipaddress, then the WHATWG
    numeric forms)."""
    import ipaddress
    import random
    import re

    from crawler.navigation.links import is_ip_literal

    numeric = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}\.?$")

    def parsed(host: str) -> bool:
        host = host.lower().strip("[]")
        if not host:
            return False
        try:
            ipaddress.ip_address(host)
            return True
        except ValueError:
            return bool(numeric.match(host))

    rng = random.Random(11)
    alphabet = "0123456789abcdefxgz.:%-X"
    hosts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(20000)]
    hosts += ["127.0.0.1", "0x7f.1", "::1", "fe80::1%eth0", "10.0.0.256", "www.spacewar.com"]
    assert sum(parsed(h) for h in hosts) > 100  # the premise: many hosts are addresses
    assert [h for h in hosts if is_ip_literal(h) != parsed(h)] == []
