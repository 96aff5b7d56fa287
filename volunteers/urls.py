from django.urls import path

from volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/level/<int:level_id>/lower/", views.lower_level, name="lower_level"),
    path("<int:volunteer_id>/photo/<slug:alias>/", views.photo, name="photo"),
]
