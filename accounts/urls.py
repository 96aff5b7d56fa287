from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("start/", views.landing, name="landing"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("users/<int:user_id>/photo/<slug:alias>/", views.photo, name="photo"),
    path("email/confirm/<str:token>/", views.confirm_email, name="email_confirm"),
    path("email/confirm-again/", views.resend_email_confirmation, name="email_confirmation_resend"),
    path("messages/", views.inbox, name="inbox"),
    path("messages/sent/", views.messages_sent, name="messages_sent"),
    path("messages/new/", views.message_compose, name="message_compose"),
    path("messages/<int:pk>/", views.message_detail, name="message_detail"),
    path("messages/<int:pk>/attachment/", views.message_attachment, name="message_attachment"),
    path("password/change/", views.password_change, name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
