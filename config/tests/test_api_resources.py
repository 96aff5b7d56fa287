"""The learner's and teacher's resources of the API in its OpenAPI schema: every one is
described, and no schema of a quiz has a place for its correct answers."""

import pytest

pytestmark = pytest.mark.django_db

RESOURCES = (
    "/api/v1/courses/",
    "/api/v1/courses/{course_id}/",
    "/api/v1/courses/{course_id}/enrol/",
    "/api/v1/courses/{course_id}/retake/",
    "/api/v1/my/courses/",
    "/api/v1/courses/{course_id}/lessons/{lesson_id}/",
    "/api/v1/courses/{course_id}/lessons/{lesson_id}/finish/",
    "/api/v1/courses/{course_id}/lessons/{lesson_id}/quiz/",
    "/api/v1/certificates/",
    "/api/v1/certificates/{certificate_id}/pdf/",
    "/api/v1/certificates/{code}/",
    "/api/v1/teaching/reviews/",
    "/api/v1/teaching/reviews/{answer_id}/",
    "/api/v1/problems/blocks/",
    "/api/v1/problems/tasks/",
    "/api/v1/problems/tasks/{task_id}/",
    "/api/v1/problems/tasks/{task_id}/solutions/",
    "/api/v1/problems/variants/random/",
    "/api/v1/problems/favorites/",
    "/api/v1/problems/favorites/{task_id}/",
    "/api/v1/methodics/",
    "/api/v1/methodics/{methodic_id}/",
    "/api/v1/search/",
)


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_every_resource_is_described(schema):
    assert set(RESOURCES) <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/problems/favorites/"]) == {"get", "post"}
    assert set(schema["paths"]["/api/v1/teaching/reviews/{answer_id}/"]) == {"get", "post"}
    listed = schema["paths"]["/api/v1/problems/tasks/"]["get"]
    assert {parameter["name"] for parameter in listed["parameters"]} >= {"block", "q", "page", "page_size"}


def test_no_quiz_schema_has_a_place_for_the_correct_answers(schema):
    components = schema["components"]["schemas"]
    assert set(components["Choice"]["properties"]) == {"id", "text"}
    assert "accepted_answers" not in components["Question"]["properties"]
    assert not any("is_correct" in component.get("properties", {}) for component in components.values())
