"""Forms of the project pages: field checks only; the views call projects.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.widgets import PlainSelect
from methodics.models import Methodic
from projects.models import (
    Attachment,
    GroupMembership,
    Project,
    ProjectCourse,
    ProjectLesson,
    ProjectMember,
    Student,
    StudentDocument,
    StudentGroup,
    Term,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class UserNameChoiceField(forms.ModelMultipleChoiceField):
    """Users by name only: a login may be a part of an email."""

    def label_from_instance(self, user):
        return user.get_full_name() or _("Участник без имени")


def project_users(project: Project):
    return User.objects.filter(project_roles__project=project).order_by("last_name", "first_name")


class TitleChoiceIterator(forms.models.ModelChoiceIterator):
    """The options as (pk, title) pairs read with values_list: no model instance for each."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", "title")


class MethodicChoiceField(forms.ModelChoiceField):
    """A methodic by title, among thousands: see LessonForm."""

    iterator = TitleChoiceIterator


class DatesOrderedMixin:
    """Finish not before start, as a field error rather than the database constraint's message."""

    start_field, finish_field = "start_date", "finish_date"
    finish_error = _("Окончание не может быть раньше начала.")

    def clean(self):
        cleaned = super().clean()
        start, finish = cleaned.get(self.start_field), cleaned.get(self.finish_field)
        if start and finish and not self.is_ordered(start, finish):
            self.add_error(self.finish_field, self.finish_error)
        return cleaned

    def is_ordered(self, start, finish) -> bool:
        return finish >= start


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ("name", "short_description", "description", "label_image", "contacts", "address", "note")
        widgets = {"contacts": forms.Textarea(attrs={"rows": 3}), "note": forms.Textarea(attrs={"rows": 3})}


class MemberAddForm(forms.Form):
    email = forms.EmailField(label=_("Электронная почта пользователя"))
    role = forms.ChoiceField(label=_("Роль"), choices=ProjectMember.Role.choices)

    def clean_email(self):
        email = self.cleaned_data["email"]
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("Пользователь с такой почтой не зарегистрирован."))
        self.cleaned_data["user"] = user
        return email


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Роль"), choices=ProjectMember.Role.choices)


class TermForm(DatesOrderedMixin, forms.ModelForm):
    class Meta:
        model = Term
        fields = ("name", "description", "label_image", "start_date", "finish_date")
        widgets = {"start_date": DATE_INPUT, "finish_date": DATE_INPUT}


class CourseForm(DatesOrderedMixin, forms.ModelForm):
    tutors = UserNameChoiceField(
        label=_("Преподаватели"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("Группы"), queryset=StudentGroup.objects.none(), required=False, widget=forms.SelectMultiple
    )

    class Meta:
        model = ProjectCourse
        fields = (
            "name",
            "description",
            "label_image",
            "start_date",
            "finish_date",
            "address",
            "contacts",
            "tutors",
            "groups",
            "web_links",
            "note",
        )
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "start_date": DATE_INPUT,
            "finish_date": DATE_INPUT,
            "contacts": forms.Textarea(attrs={"rows": 2}),
            "web_links": forms.Textarea(attrs={"rows": 2}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tutors"].queryset = project_users(project)
        self.fields["groups"].queryset = project.groups.all()


class LessonForm(DatesOrderedMixin, forms.ModelForm):
    start_field, finish_field = "start_time", "finish_time"
    finish_error = _("Занятие должно заканчиваться позже, чем начинается.")

    tutors = UserNameChoiceField(
        label=_("Преподаватели"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ProjectLesson
        fields = (
            "date",
            "start_time",
            "finish_time",
            "methodic",
            "tutors",
            "description",
            "label_image",
            "web_links",
            "note",
        )
        widgets = {
            "date": DATE_INPUT,
            "start_time": TIME_INPUT,
            "finish_time": TIME_INPUT,
            # Every published methodic is an option (18,000 at the bench's scale): written
            # in Python, the form takes 0.1 s instead of 1–1.7 s (core.widgets.PlainSelect).
            "methodic": PlainSelect,
            "description": forms.Textarea(attrs={"rows": 3}),
            "web_links": forms.Textarea(attrs={"rows": 2}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {"methodic": MethodicChoiceField}

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tutors"].queryset = project_users(project)
        published = Methodic.objects.filter(status=Methodic.Status.PUBLISHED)
        if self.instance.methodic_id:  # keep a methodic unpublished since it was chosen
            published = Methodic.objects.filter(status=Methodic.Status.PUBLISHED) | Methodic.objects.filter(
                pk=self.instance.methodic_id
            )
        self.fields["methodic"].queryset = published.order_by("title", "pk")

    def is_ordered(self, start, finish) -> bool:
        return finish > start


class GroupForm(forms.ModelForm):
    class Meta:
        model = StudentGroup
        fields = ("name", "note")
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class MembershipAddForm(forms.Form):
    student = forms.ModelChoiceField(label=_("Учащийся"), queryset=Student.objects.none())
    joined_on = forms.DateField(label=_("В группе с"), widget=DATE_INPUT)

    def __init__(self, *args, group: StudentGroup, **kwargs):
        super().__init__(*args, **kwargs)
        in_group = GroupMembership.objects.filter(group=group).values("student")
        self.fields["student"].queryset = group.project.students.exclude(pk__in=in_group)


class StudentForm(forms.ModelForm):
    class Meta:
        model = Student
        fields = (
            "last_name",
            "first_name",
            "middle_name",
            "birthday",
            "phone",
            "email",
            "address",
            "avatar",
            "note",
        )
        widgets = {"birthday": DATE_INPUT, "note": forms.Textarea(attrs={"rows": 3})}


class StudentDocumentForm(forms.ModelForm):
    """A saved document's number never reaches the edit form whole (it is masked on the
    site): its field comes empty, the masked number as a hint, and left empty it keeps the
    number. A new document's number is typed as usual."""

    class Meta:
        model = StudentDocument
        fields = ("document_type", "number")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["number"] = ""
            field = self.fields["number"]
            field.required = False
            field.widget.attrs["placeholder"] = self.instance.masked_number
            field.help_text = _("Оставьте пустым, чтобы не менять номер.")

    def clean_number(self):
        number = self.cleaned_data["number"]
        return number or (self.instance.number if self.instance.pk else number)


DocumentFormSet = forms.inlineformset_factory(
    Student, StudentDocument, form=StudentDocumentForm, extra=1, can_delete=True
)


class AttachmentForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ("file", "title")
