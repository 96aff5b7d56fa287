from projects.views import attendance, pages

app_name = "projects"

# The project pages (public cards, project, terms, members, students, attachments) and
# the courses' attendance (roster, table, marking, exports) list their own routes.
urlpatterns = [*pages.urlpatterns, *attendance.urlpatterns]
