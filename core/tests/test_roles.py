"""The one vocabulary of item roles (core.roles), shared by projects and methodics."""

import pytest

from core.roles import (
    ItemRole,
    may_administer,
    may_edit,
    may_read,
    role_at_least,
    role_label,
    roles_at_least,
)
from methodics.models import MethodicMember
from projects.models import ProjectMember


def test_the_stored_values_and_names():
    assert ItemRole.choices == [("admin", "Администратор"), ("moderator", "Модератор"), ("viewer", "Просмотр")]
    # Both membership tables speak it (the projects' rows keep their values).
    assert ProjectMember.Role is ItemRole and MethodicMember.Role is ItemRole
    assert ProjectMember._meta.get_field("role").choices == MethodicMember._meta.get_field("role").choices


@pytest.mark.parametrize(
    ("role", "needed", "allowed"),
    [
        ("admin", "admin", True),
        ("admin", "viewer", True),
        ("moderator", "admin", False),
        ("moderator", "moderator", True),
        ("moderator", "viewer", True),
        ("viewer", "moderator", False),
        ("viewer", "viewer", True),
        (None, "viewer", False),
    ],
)
def test_a_role_allows_what_the_roles_below_it_do(role, needed, allowed):
    assert role_at_least(role, needed) is allowed


def test_the_roles_at_least_a_role_for_queries():
    assert set(roles_at_least("moderator")) == {"admin", "moderator"}
    assert set(roles_at_least("viewer")) == {"admin", "moderator", "viewer"}


@pytest.mark.parametrize(
    ("role", "reads", "edits", "administers"),
    [
        ("admin", True, True, True),
        ("moderator", True, True, False),
        ("viewer", True, False, False),
        (None, False, False, False),
    ],
)
def test_what_each_role_may_do(role, reads, edits, administers):
    assert (may_read(role), may_edit(role), may_administer(role)) == (reads, edits, administers)


def test_role_labels():
    assert (role_label("moderator"), role_label(None)) == ("Модератор", "")
