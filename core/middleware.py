from django.core.exceptions import BadRequest
from django.http import UnreadablePostError

from core.input_checks import control_character

FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RejectControlCharactersMiddleware:
    """Answers 400 (templates/400.html) to a request whose path, query string (names and
    values) or form fields (names and values) hold a control character: NUL, the other C0
    characters but tab, line feed and carriage return, or DEL. No page means them;
    PostgreSQL refuses NUL in text, and XML (so the Word exports) the rest. Let in, they
    made a 500 wherever a value reached the database or an export past a form's checks:
    an address, a filter of the admin, a field a view reads by hand. Forms keep Django's
    own NUL check. Uploaded files are not read (Django strips such characters from their
    names itself).

    Early in MIDDLEWARE, before any other middleware or view reads the values. Reading the
    form here is what CsrfViewMiddleware does anyway for every POST."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = self._control_character(request)
        if where:
            raise BadRequest(f"Управляющий символ в запросе: {where}.")
        return self.get_response(request)

    @staticmethod
    def _control_character(request) -> str | None:
        found = control_character(request.path)
        if found:
            return f"адрес, {found}"
        found = _in_fields(request.GET.lists())
        if found:
            return f"параметр адреса, {found}"
        if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
            try:
                found = _in_fields(request.POST.lists())
            except UnreadablePostError:
                return None  # the client went away; the view's own reading reports it
            if found:
                return f"поле формы, {found}"
        return None


def _in_fields(fields) -> str | None:
    """The first control character in the names and values of (name, [value, …]) pairs."""
    for name, values in fields:
        for text in (name, *values):
            found = control_character(text)
            if found:
                return found
    return None
