"""Certificates (courses.views.certificates) as JSON: the volunteer's own, each with the URL
of its PDF — served by the site's checked download view (`download`: its owner, the
teachers of its course, administrators) — and the public verification by code."""

from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import DetailSerializer, DownloadNegotiation
from courses.api.learners import CourseRefSerializer
from courses.models import Certificate
from courses.views.certificates import certificate_by_code, certificates_of, download, holder_name


class CertificateSerializer(serializers.ModelSerializer):
    course = CourseRefSerializer(read_only=True)
    direction = serializers.CharField(source="course.direction.title", read_only=True)
    issued_at = serializers.DateTimeField(source="created_at", read_only=True)
    pdf_url = serializers.SerializerMethodField(help_text="PDF сертификата; null — файл ещё не готов.")
    verify_url = serializers.SerializerMethodField(help_text="Публичная страница проверки (QR-код на сертификате).")

    class Meta:
        model = Certificate
        fields = ["id", "code", "course", "direction", "final_assessment", "issued_at", "pdf_url", "verify_url"]

    def get_pdf_url(self, certificate: Certificate) -> str | None:
        if not certificate.file:
            return None
        return self.context["request"].build_absolute_uri(reverse("api:certificate-pdf", args=[certificate.pk]))

    def get_verify_url(self, certificate: Certificate) -> str:
        return self.context["request"].build_absolute_uri(certificate.get_absolute_url())


class CertificateList(generics.ListAPIView):
    """A signed-in user: the certificates of their own volunteer profile, newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = CertificateSerializer
    filter_backends = []

    def get_queryset(self):
        return certificates_of(self.request.user)


class CertificatePdf(APIView):
    """The certificate's PDF as an attachment (or, in object storage, a redirect to a
    short-lived signed URL): the site's download view answers, with its check — the
    owner, the teachers of its course, administrators; 404 for anyone else."""

    permission_classes = [IsAuthenticated]
    content_negotiation_class = DownloadNegotiation

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            302: OpenApiResponse(description="В объектном хранилище: ссылка на файл на несколько минут."),
            404: OpenApiResponse(DetailSerializer, description="Нет такого сертификата, или он не ваш."),
        }
    )
    def get(self, request, certificate_id: int):
        return download(request._request, certificate_id)


class VerifiedCertificateSerializer(serializers.ModelSerializer):
    """What anyone may learn of a certificate: the holder's name, the course, the date and
    the assessment — no other personal data."""

    holder_name = serializers.SerializerMethodField()
    course = serializers.CharField(source="course.title")
    direction = serializers.CharField(source="course.direction.title")
    issued_at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Certificate
        fields = ["code", "holder_name", "course", "direction", "final_assessment", "issued_at"]

    def get_holder_name(self, certificate: Certificate) -> str:
        return holder_name(certificate)


class CertificateVerify(APIView):
    """Everyone, anonymous clients too: whether a certificate with this code exists."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            200: VerifiedCertificateSerializer,
            404: OpenApiResponse(
                DetailSerializer,
                examples=[OpenApiExample("Не найден", value={"detail": "Сертификат с таким кодом не найден."})],
            ),
        }
    )
    def get(self, request, code: str):
        certificate = certificate_by_code(code)
        if certificate is None:
            return Response({"detail": "Сертификат с таким кодом не найден."}, status=status.HTTP_404_NOT_FOUND)
        return Response(VerifiedCertificateSerializer(certificate).data)


urlpatterns = [
    path("certificates/", CertificateList.as_view(), name="certificate-list"),
    path("certificates/<int:certificate_id>/pdf/", CertificatePdf.as_view(), name="certificate-pdf"),
    path("certificates/<str:code>/", CertificateVerify.as_view(), name="certificate-verify"),
]
