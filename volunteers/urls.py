from django.urls import path

from volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("<int:volunteer_id>/photo/<slug:alias>/", views.photo, name="photo"),
]
