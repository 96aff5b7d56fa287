from projects.views import pages

app_name = "projects"

urlpatterns = pages.urlpatterns
