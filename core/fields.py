from ckeditor.fields import RichTextField

from core.sanitize import sanitize_html


class SanitizedRichTextField(RichTextField):
    """A CKEditor field whose value is sanitised on every save, whatever the path (page,
    admin, service, shell): the database never holds unsafe HTML."""

    def pre_save(self, model_instance, add):
        value = sanitize_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value
