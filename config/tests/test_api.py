"""The API as a whole: the OpenAPI schema and its docs page, throttling of anonymous and
signed-in clients, cross-origin calls (CORS) closed unless an origin is named."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from accounts.tokens import tokens_for

TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"
OURS = (
    "/api/v1/auth/token/",
    "/api/v1/auth/token/refresh/",
    "/api/v1/auth/logout/",
    "/api/v1/auth/yandex/",
    "/api/v1/auth/session/",
    "/api/v1/me/",
)

pytestmark = pytest.mark.django_db


# --- The schema and the docs page ---------------------------------------------------------


def test_the_schema_describes_the_endpoints_and_the_bearer_scheme(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["jwtAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    assert set(OURS) <= set(schema["paths"])
    assert {"jwtAuth": []} in schema["paths"][ME]["get"]["security"]
    token = schema["paths"][TOKEN]["post"]
    assert token["requestBody"]["content"]["application/json"]["examples"]
    assert set(token["responses"]) == {"200", "401", "429"}


def test_the_schema_is_generated_without_warnings_and_validates(tmp_path):
    """What `make lint` runs: a warning or an invalid schema fails it."""
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))

    assert "/api/v1/me/" in (tmp_path / "schema.yaml").read_text()


def local_references(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]*)"', page)


def test_the_docs_page_loads_only_the_sites_own_files_and_no_inline_code(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    references = local_references(page)
    assert references, page
    assert all(reference.startswith("/") and not reference.startswith("//") for reference in references), references
    static = [reference.removeprefix("/static/") for reference in references if reference.startswith("/static/")]
    assert all(finders.find(path) for path in static), static
    assert "<style" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "an inline script"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_the_docs_pages_script_is_served_by_the_view(client):
    (script_url,) = [
        reference
        for reference in local_references(client.get("/api/docs/").content.decode())
        if reference.startswith("/api/docs/")
    ]

    script = client.get(script_url.replace("&amp;", "&"))

    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
    assert "/api/schema/" in script.content.decode()


# --- Throttling ---------------------------------------------------------------------------


@pytest.fixture
def low_rates(monkeypatch):
    """API_ANON_RATE=3/minute, API_USER_RATE=5/minute for this test (the throttle classes
    read the rates once, at import)."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "5/minute"})


def test_anonymous_clients_are_throttled(low_rates):
    api = APIClient()
    statuses = [
        api.post(TOKEN, {"email": "a@volna.example", "password": "x"}, format="json").status_code for _ in range(4)
    ]

    assert statuses == [401, 401, 401, 429]
    throttled = api.post(TOKEN, {"email": "a@volna.example", "password": "x"}, format="json")
    assert throttled.json()["detail"].startswith("Запрос был проигнорирован.")
    assert int(throttled["Retry-After"]) > 0
    other = APIClient().post(
        TOKEN, {"email": "a@volna.example", "password": "x"}, format="json", REMOTE_ADDR="192.0.2.9"
    )
    assert other.status_code == 401, "another address has its own allowance"


def test_signed_in_clients_are_throttled_per_user(low_rates, volunteer, teacher):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(volunteer)['access']}")

    statuses = [api.get(ME).status_code for _ in range(6)]

    assert statuses == [200] * 5 + [429]
    colleague = APIClient()
    colleague.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(teacher)['access']}")
    assert colleague.get(ME).status_code == 200, "from the same address, another user has their own allowance"


# --- CORS ---------------------------------------------------------------------------------

APP = "https://app.volna.example"


def preflight(client, origin, path=TOKEN):
    return client.options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )


def test_cross_origin_calls_are_closed_by_default(client):
    response = preflight(client, APP)

    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Origin" not in client.post(TOKEN, {}, HTTP_ORIGIN=APP)


def test_a_named_origin_may_call_the_api_and_no_other(client, settings):
    settings.CORS_ALLOWED_ORIGINS = [APP]

    allowed = preflight(client, APP)
    other = preflight(client, "https://evil.example")
    call = client.post(TOKEN, {}, content_type="application/json", HTTP_ORIGIN=APP)

    assert allowed.status_code == 200
    assert allowed["Access-Control-Allow-Origin"] == APP
    assert "authorization" in allowed["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in other
    assert call["Access-Control-Allow-Origin"] == APP
    assert "Access-Control-Allow-Origin" not in client.get("/", HTTP_ORIGIN=APP), "the site's pages stay closed"


def test_the_readmes_configuration_lists_the_apis_variables():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    configuration = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]

    for variable in (
        "JWT_SIGNING_KEY",
        "JWT_ACCESS_MINUTES",
        "JWT_REFRESH_DAYS",
        "API_ANON_RATE",
        "API_USER_RATE",
        "CORS_ALLOWED_ORIGINS",
    ):
        assert f"`{variable}`" in configuration, variable
