"""API clients for tests: requests through the whole stack, signed with a Bearer access
token made as the API makes it (accounts.tokens), or anonymous."""

import pytest
from rest_framework.test import APIClient

from accounts.tokens import tokens_for

# The role matrix of the API's tests: the conftest's fixtures, and nobody.
ROLES = ["anonymous", "volunteer", "teacher", "administrator", "main_admin"]


def api_as(user=None) -> APIClient:
    """A client for `user` (Authorization: Bearer <access>), or an anonymous one."""
    api = APIClient()
    if user is not None:
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(user)['access']}")
    return api


def user_of_role(request: pytest.FixtureRequest, role: str):
    """The user of a ROLES entry (None for anonymous), from the conftest's fixtures."""
    return None if role == "anonymous" else request.getfixturevalue(role)
