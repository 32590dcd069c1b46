"""core.urls_safety: the one rule for where the site may send a browser back to (finding 5)."""

import pytest

from core.urls_safety import is_safe_url

EVIL = [
    "https://evil.example/steal",
    "http://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "https:evil.example",
    "https:/evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "HTTPS://EVIL.EXAMPLE/",
    "data:text/html,<script>alert(1)</script>",
    "ftp://shop.example.com/",
    " https://evil.example/",
    "\x01/evil.example",
    "https://shop.example.com@evil.example/",
    "https://evil.example\\@shop.example.com/",
    "checkout/done/",
    "",
    "/" + "a" * 1000,
]

SAFE = [
    "/en/checkout/done/{number}/",
    "/fr/cart/?x=1#top",
    "https://shop.example.com/en/checkout/done/{number}/",
    "HTTPS://Shop.Example.com/en/",  # mixed case scheme and host, same site
    "http://shop.example.com/",
]


@pytest.mark.parametrize("url", EVIL)
def test_off_site_and_tricky_urls_are_refused(url, settings):
    settings.PAYMENTS_RETURN_URL_HOSTS = []
    assert is_safe_url(url, host="shop.example.com") is False


@pytest.mark.parametrize("url", SAFE)
def test_paths_and_this_sites_host_are_accepted(url, settings):
    settings.PAYMENTS_RETURN_URL_HOSTS = []
    assert is_safe_url(url, host="shop.example.com") is True


def test_an_allowlisted_host_is_accepted_and_no_other(settings):
    settings.PAYMENTS_RETURN_URL_HOSTS = ["app.partner.example"]
    assert is_safe_url("https://app.partner.example/back/", host="shop.example.com") is True
    assert is_safe_url("https://APP.partner.example/back/", host=None) is True
    assert is_safe_url("https://evil.app.partner.example/back/", host="shop.example.com") is False
    assert is_safe_url("https://partner.example/back/", host="shop.example.com") is False


def test_without_a_request_host_only_paths_and_the_allowlist_pass(settings):
    settings.PAYMENTS_RETURN_URL_HOSTS = []
    assert is_safe_url("/en/cart/", host=None) is True
    assert is_safe_url("https://shop.example.com/en/cart/", host=None) is False


def test_https_can_be_required(settings):
    settings.PAYMENTS_RETURN_URL_HOSTS = []
    assert is_safe_url("http://shop.example.com/", host="shop.example.com", require_https=True) is False
    assert is_safe_url("https://shop.example.com/", host="shop.example.com", require_https=True) is True
