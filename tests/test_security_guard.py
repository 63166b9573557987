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
