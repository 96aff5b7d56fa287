from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.sessions import SessionStore
from accounts.tests.factories import UserFactory

PROFILE = "/accounts/profile/"

pytestmark = pytest.mark.django_db


def test_a_saved_session_reads_back():
    session = SessionStore()
    session["answer"] = {"дело": 42}
    session.save()

    assert SessionStore(session.session_key).load() == {"answer": {"дело": 42}}


def test_an_expired_or_unknown_session_is_empty_and_gets_a_new_key_when_saved():
    session = SessionStore()
    session["answer"] = 42
    session.save()
    Session.objects.filter(session_key=session.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))

    expired = SessionStore(session.session_key)
    assert expired.load() == {}
    expired["answer"] = 43
    expired.save()
    assert expired.session_key != session.session_key
    assert SessionStore("no-such-session-key-at-all-0123").load() == {}


def test_a_signed_in_user_whose_session_expires_is_signed_out(client):
    client.force_login(UserFactory())
    assert client.get(PROFILE).status_code == 200

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    assert client.get(PROFILE).status_code == 302
