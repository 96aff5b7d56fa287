from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from config import api, views
from core.views import AboutView, favicon, serve_media
from problems.views import assignments

admin.site.site_header = "Волна — администрирование"
admin.site.site_title = "Волна"
admin.site.index_title = "Управление платформой"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("about/", AboutView.as_view(), name="about"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("search/", views.search, name="search"),
    path("users/<int:user_id>/", views.author, name="author"),
    path("accounts/", include("accounts.urls")),
    path("volunteers/", include("volunteers.urls")),
    path("courses/", include("courses.urls")),
    path("certificates/", include("courses.urls_certificates")),
    path("problems/", include("problems.urls")),
    # A class assignment's short link and «Ввести код» (problems.views.assignments).
    path("a/", include((assignments.pupil_urlpatterns, "assignments"))),
    path("methodics/", include("methodics.urls")),
    path("projects/", include("projects.urls")),
    path("auth/", include("social_django.urls", namespace="social")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api.urlpatterns, "api"))),
    path("api/", include(api.schema_urlpatterns)),
]

if settings.SERVE_MEDIA:
    urlpatterns.append(re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", serve_media))

handler400 = "core.views.bad_request"
handler500 = "core.views.server_error"
