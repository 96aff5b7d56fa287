"""Certificates on the site (/certificates/…): the public verification page the QR code
of every certificate links to, the volunteer's «Мои сертификаты», and the download of a
certificate's PDF, which lives in private storage and is served only to those allowed."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import path

from accounts.roles import TEACHER
from core.views import private_download
from courses.models import Certificate
from courses.permissions import courses_taught_by, is_administrator

# Staff outside the roles (a support account, say) download when granted this permission.
VIEW_PERMISSION = "courses.view_certificate"


def downloadable_condition(user) -> Q | None:
    """Which certificates `user` may download, as a filter (None: every one). Their own;
    as a teacher, those of the courses they teach (`courses_taught_by`: its author and its
    руководитель) — not of every course; all of them for administrators, main administrators
    and staff who hold courses.view_certificate without being teachers. The admin's list shows a
    teacher the same rows, so that the list and the files agree."""
    if is_administrator(user):
        return None
    is_teacher = user.is_staff and any(group.name == TEACHER for group in user.groups.all())
    if user.is_staff and not is_teacher and user.has_perm(VIEW_PERMISSION):
        return None
    allowed = Q(volunteer__user=user)
    if is_teacher:
        allowed |= courses_taught_by(user, through="course__")
    return allowed


def certificates_downloadable_by(user):
    if not user.is_authenticated:
        return Certificate.objects.none()
    condition = downloadable_condition(user)
    return Certificate.objects.all() if condition is None else Certificate.objects.filter(condition)


def certificate_file_name(certificate: Certificate) -> str:
    """Readable in any browser and file system, whatever the course is called."""
    return f"sertifikat-{certificate.course_id}.pdf"


def holder_name(certificate: Certificate) -> str:
    """The name printed on the certificate (courses.services.certificate_data). Not
    str(volunteer), which falls back to the email address."""
    user = certificate.volunteer.user
    return user.get_full_name() or user.username


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate with this verification code, with only what its verification shows
    (holder_name, the course and its direction, the assessment, the dates); None if none."""
    return (
        Certificate.objects.filter(code=code)
        .select_related("course__direction", "volunteer__user")
        .only(
            "code",
            "final_assessment",
            "created_at",
            "updated_at",
            "course__title",
            "course__direction__title",
            "volunteer__user__first_name",
            "volunteer__user__last_name",
            "volunteer__user__username",
        )
        .first()
    )


def verify(request, code: str):
    """Anyone, anonymous visitors too: whether a certificate with this code exists, with
    the holder's name, the course, the date and the assessment — no other personal data.
    An unknown code gives a «не найден» page with status 404."""
    certificate = certificate_by_code(code)
    if certificate is None:
        return render(request, "courses/certificates/not_found.html", {"code": code}, status=404)
    return render(
        request,
        "courses/certificates/verify.html",
        {"certificate": certificate, "holder_name": holder_name(certificate)},
    )


def certificates_of(user):
    """The certificates of the user's own volunteer profile, newest first, with their course."""
    return (
        Certificate.objects.filter(volunteer__user=user)
        .select_related("course__direction")
        .order_by("-created_at", "-pk")
    )


@login_required
def my_certificates(request):
    """The signed-in user only: the certificates of their own volunteer profile, newest
    first, each with its download and verification links."""
    certificates = list(certificates_of(request.user))
    has_profile = bool(certificates) or hasattr(request.user, "volunteer")
    return render(
        request,
        "courses/certificates/my.html",
        {"certificates": certificates, "has_profile": has_profile},
    )


@login_required
def download(request, certificate_id: int):
    """The certificate's owner; teachers of its course (its author and its руководитель,
    `courses_taught_by`); administrators and main administrators; other staff holding
    courses.view_certificate. Anyone else gets 404, as for a certificate that does not
    exist, so that nobody learns which ids are taken."""
    certificate = certificates_downloadable_by(request.user).filter(pk=certificate_id).first()
    if certificate is None:
        raise Http404
    return private_download(certificate.file, filename=certificate_file_name(certificate))


urlpatterns = [
    path("verify/<str:code>/", verify, name="verify"),
    path("my/", my_certificates, name="my"),
    path("<int:certificate_id>/download/", download, name="download"),
]
