from courses.views import catalogue, lessons, teaching

app_name = "courses"

# Each views module lists its own routes: the catalogue and enrolment, the learner's
# lessons and quizzes, and the teachers' pages.
urlpatterns = [*catalogue.urlpatterns, *lessons.urlpatterns, *teaching.urlpatterns]
