"""The courses app's REST endpoints under /api/v1/ (DRF; thin over selectors and services).
One module per views module of the site: the catalogue and enrolment, the lessons and
quizzes, certificates, and the teachers' review of open answers."""

from courses.api import catalogue, certificates, lessons, teaching

urlpatterns = [*catalogue.urlpatterns, *lessons.urlpatterns, *certificates.urlpatterns, *teaching.urlpatterns]
