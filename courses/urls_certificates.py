from courses.views import certificates

# Certificates have their own address space (/certificates/…): the public verification
# page is linked from the QR code printed on every certificate.
app_name = "certificates"

urlpatterns = certificates.urlpatterns
