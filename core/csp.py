"""The Content-Security-Policy header (django-csp, settings CONTENT_SECURITY_POLICY), and
what CKEditor 4 needs added to it where it runs (settings CSP_RICH_TEXT_EDITOR)."""

from csp.decorators import csp_update
from csp.middleware import CSPMiddleware
from django.conf import settings


def with_rich_text_editor(view):
    """A site view whose page holds a rich-text field (CKEditor 4): its policy gains
    CSP_RICH_TEXT_EDITOR. For a class, method_decorator(with_rich_text_editor, "dispatch")."""
    return csp_update(settings.CSP_RICH_TEXT_EDITOR)(view)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with CSP_RICH_TEXT_EDITOR added on every page of the admin,
    whose change forms edit rich text (django-csp's documented way: get_policy_parts)."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        in_admin = request.resolver_match is not None and "admin" in request.resolver_match.namespaces
        if not report_only and in_admin:
            parts.update = {**settings.CSP_RICH_TEXT_EDITOR, **(parts.update or {})}
        return parts
