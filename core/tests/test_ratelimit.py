import pytest
from django.core.cache import cache
from django.test import RequestFactory

from core.ratelimit import client_ip, counted, rate_limit_reached

LIMITS = {"sending": {"ip": (3, 3600), "email": (2, 3600)}}


def request_from(address="203.0.113.7", forwarded=None):
    headers = {"REMOTE_ADDR": address}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/", **headers)


def test_counts_up_to_the_limit_then_refuses():
    assert [counted("sending", "someone", 2, 60) for _ in range(4)] == [False, False, True, True]


def test_counts_each_action_and_each_client_apart():
    assert [counted("sending", "first", 1, 60) for _ in range(2)] == [False, True]
    assert not counted("sending", "second", 1, 60)
    assert not counted("registering", "first", 1, 60)


def test_an_address_counts_whatever_its_letter_case_and_spaces():
    assert not counted("sending", "Maria@Example.ru", 1, 60)
    assert counted("sending", " maria@example.RU ", 1, 60)


def test_a_window_that_closed_opens_a_new_one(monkeypatch):
    now = 1_000_000.0
    monkeypatch.setattr("django.core.cache.backends.locmem.time.time", lambda: now)
    assert [counted("sending", "someone", 1, 60) for _ in range(2)] == [False, True]
    now += 61
    assert not counted("sending", "someone", 1, 60)


def test_a_window_that_closes_between_add_and_incr_counts_the_action_in_a_new_one(monkeypatch):
    def expired(key, delta=1):
        cache.delete(key)
        raise ValueError(key)

    monkeypatch.setattr(cache, "incr", expired)
    assert not counted("sending", "someone", 1, 60)
    monkeypatch.undo()
    assert counted("sending", "someone", 1, 60)


class TestRateLimitReached:
    @pytest.fixture(autouse=True)
    def _limits(self, settings):
        settings.RATE_LIMITS = LIMITS

    def test_per_email_address(self):
        results = [rate_limit_reached(request_from(f"198.51.100.{n}"), "sending", email="a@x.ru") for n in range(3)]
        assert results == [False, False, True]
        assert not rate_limit_reached(request_from("198.51.100.9"), "sending", email="b@x.ru")

    def test_per_client_address(self):
        results = [rate_limit_reached(request_from(), "sending", email=f"{n}@x.ru") for n in range(4)]
        assert results == [False, False, False, True]

    def test_a_client_refused_for_its_address_uses_up_no_allowance_of_the_email(self):
        for n in range(3):
            rate_limit_reached(request_from(), "sending", email=f"{n}@x.ru")
        assert rate_limit_reached(request_from(), "sending", email="victim@x.ru")
        assert rate_limit_reached(request_from(), "sending", email="victim@x.ru")
        # From elsewhere, the address still has its two.
        assert not rate_limit_reached(request_from("192.0.2.1"), "sending", email="victim@x.ru")
        assert not rate_limit_reached(request_from("192.0.2.2"), "sending", email="victim@x.ru")


class TestClientIp:
    def test_is_the_peer_without_trusted_proxies_whatever_the_client_forwards(self, settings):
        settings.TRUSTED_PROXY_COUNT = 0
        assert client_ip(request_from("203.0.113.7", forwarded="10.9.8.7")) == "203.0.113.7"

    def test_behind_one_proxy_is_the_address_it_appended(self, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        # The client wrote the first one itself; nginx appended the second.
        request = request_from("127.0.0.1", forwarded="10.9.8.7, 198.51.100.20")
        assert client_ip(request) == "198.51.100.20"

    def test_behind_two_proxies_is_the_address_the_outer_one_saw(self, settings):
        settings.TRUSTED_PROXY_COUNT = 2
        request = request_from("127.0.0.1", forwarded="10.9.8.7, 198.51.100.20, 192.0.2.50")
        assert client_ip(request) == "198.51.100.20"

    @pytest.mark.parametrize("forwarded", [None, "", "not-an-address", "2001:db8::1, garbage"])
    def test_falls_back_to_the_peer_without_a_usable_header(self, settings, forwarded):
        settings.TRUSTED_PROXY_COUNT = 1
        assert client_ip(request_from("127.0.0.1", forwarded=forwarded)) == "127.0.0.1"

    def test_an_ipv6_client(self, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        assert client_ip(request_from("127.0.0.1", forwarded="2001:DB8::1")) == "2001:db8::1"
