"""The courses back office (spec 001): course editor with its structure, catalogues of
skills and FAQ, chapters and lessons with their videos, webinars and quiz questions,
enrolments and progress, and the teachers' direction limits.

Rights follow the roles (accounts.roles): main administrators do everything, and alone
delete courses; administrators do everything else; teachers add, change and view — within
the directions an administrator allows them (`TeacherScope`, see courses.permissions).
Whatever changes a course's chapters or lessons calls `course_refresh`, so the course's
duration and number of classes stay right and enrolled volunteers get the new lessons.
The admins of what the catalogue and course pages show are `CourseContentAdmin`s: what
they save or delete retires those pages (core.admin.ContentAdmin); their actions call
the services, which do the same.
"""

import logging

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import TEACHER
from core.admin import ContentAdmin, ReadOnlyAdminMixin
from courses.models import (
    FAQ,
    Answer,
    Authored,
    Certificate,
    Chapter,
    ChapterLesson,
    Choice,
    Course,
    CourseChapter,
    CourseFAQ,
    CourseLocation,
    CourseSkill,
    Lesson,
    Question,
    QuizAttempt,
    Skill,
    TeacherScope,
    VideoLesson,
    VolunteerCourse,
    VolunteerLesson,
    Webinar,
)
from courses.permissions import (
    editable_courses,
    editable_direction_ids,
    is_administrator,
    teacher_may_edit_chapter,
    teacher_may_edit_course,
    teacher_may_edit_lesson,
)
from courses.services import certificate_issue, course_publish, course_refresh, course_unpublish
from courses.views.certificates import downloadable_condition
from volunteers.models import Direction

AUTHORSHIP = ("user_created", "user_modified", "created_at", "updated_at")
logger = logging.getLogger(__name__)

SMALL_TEXTAREA = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}}


def stamp_authorship(obj: Authored, user: User) -> None:
    if obj._state.adding:
        obj.user_created = user
    obj.user_modified = user


def courses_with_chapters(chapters) -> list[Course]:
    return list(Course.objects.filter(contents__in=chapters).distinct())


def courses_with_lessons(lessons) -> list[Course]:
    return list(Course.objects.filter(contents__lessons__in=lessons).distinct())


def refresh_courses(courses) -> None:
    for course in courses:
        course_refresh(course=course)


# --- Shared behaviour ---------------------------------------------------------------------


class CourseContentAdmin(ContentAdmin):
    """Courses and what their public pages show: chapters, lessons, skills, FAQ, quizzes."""

    content_area = "courses"


class AuthoredAdmin(admin.ModelAdmin):
    """Fills `user_created` on add and `user_modified` on every save, for the edited row
    and for the `Authored` rows of its inlines; both are shown read-only."""

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *AUTHORSHIP)

    def save_model(self, request, obj, form, change):
        stamp_authorship(obj, request.user)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if not issubclass(formset.model, Authored):
            return super().save_formset(request, form, formset, change)
        rows = formset.save(commit=False)
        for row in formset.deleted_objects:
            row.delete()
        for row in rows:
            stamp_authorship(row, request.user)
            row.save()
        formset.save_m2m()
        return None


class DirectionScopedMixin:
    """A teacher restricted to some directions changes and deletes a row only when
    `in_scope` admits it; otherwise its page opens read-only (courses.permissions)."""

    def in_scope(self, user, obj) -> bool:
        raise NotImplementedError

    def _in_scope(self, request, obj) -> bool:
        if obj is None or obj.pk is None:
            return True
        # Asked several times per page; the answer may cost a query.
        checked = request.__dict__.setdefault("_courses_in_scope", {})
        key = (obj._meta.label, obj.pk)
        if key not in checked:
            checked[key] = self.in_scope(request.user, obj)
        return checked[key]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0


# --- Catalogues ---------------------------------------------------------------------------


@admin.register(Skill)
class SkillAdmin(AuthoredAdmin, CourseContentAdmin):
    """Skills a course teaches. Administrators and teachers add and edit them (teachers
    do not delete); the course editor picks them by search."""

    list_display = ("title", "description", "updated_at")
    search_fields = ("title", "description")


@admin.register(FAQ)
class FAQAdmin(AuthoredAdmin, CourseContentAdmin):
    """Questions and answers shown on course pages. Administrators and teachers add and
    edit them (teachers do not delete); the course editor picks them by search."""

    list_display = ("question", "answer", "updated_at")
    search_fields = ("question", "answer")


# --- Courses ------------------------------------------------------------------------------


class OrderedLinksFormSet(forms.BaseInlineFormSet):
    """Rows that place a chapter in a course or a lesson in a chapter. Order numbers may be
    swapped freely (their unique constraint is deferred), but a saved row may not take the
    chapter or lesson another saved row holds: rows are saved one by one, and the
    (parent, child) constraint is checked at once, so it would fail half-way."""

    child = ""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        held = {form.initial.get(self.child): form for form in self.initial_forms}
        for form in self.initial_forms:
            taken = form.cleaned_data.get(self.child)
            if taken is None or self.child not in form.changed_data:
                continue
            other = held.get(taken.pk)
            if other is not None and other is not form:
                raise ValidationError(
                    _("«%(child)s» уже стоит в другой строке. Чтобы поменять порядок, меняйте порядковые номера."),
                    params={"child": taken},
                )


class CourseChapterFormSet(OrderedLinksFormSet):
    child = "chapter"


class ChapterLessonFormSet(OrderedLinksFormSet):
    child = "lesson"


class CourseChapterInline(admin.TabularInline):
    model = CourseChapter
    formset = CourseChapterFormSet
    fields = ("order_number", "chapter", "chapter_link")
    readonly_fields = ("chapter_link",)
    autocomplete_fields = ("chapter",)
    extra = 0
    verbose_name_plural = _("Главы (по порядку)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("chapter")

    @admin.display(description=_("Уроки главы"))
    def chapter_link(self, link):
        if link.pk is None:
            return "—"
        url = reverse("admin:courses_chapter_change", args=[link.chapter_id])
        return format_html('<a href="{}">{}</a>', url, gettext("Открыть главу"))


class CourseLocationInline(admin.TabularInline):
    model = CourseLocation
    fields = ("location",)
    autocomplete_fields = ("location",)
    extra = 0
    verbose_name_plural = _("Регионы (пусто — курс открыт во всех регионах)")


class CourseSkillInline(admin.TabularInline):
    model = CourseSkill
    fields = ("skill",)
    autocomplete_fields = ("skill",)
    extra = 0
    verbose_name_plural = _("Навыки")


class CourseFAQInline(admin.TabularInline):
    model = CourseFAQ
    fields = ("faq",)
    autocomplete_fields = ("faq",)
    extra = 0
    verbose_name_plural = _("Частые вопросы")


@admin.register(Course)
class CourseAdmin(DirectionScopedMixin, AuthoredAdmin, CourseContentAdmin):
    """The course editor. Administrators and teachers add, edit and publish courses — a
    teacher whom an administrator restricted to their own directions only those of these
    directions (the others open read-only). Only main administrators delete courses.
    Duration and number of classes are computed from the lessons after every save."""

    list_display = (
        "title",
        "direction",
        "level",
        "format",
        "start_date",
        "duration",
        "number_of_classes",
        "ready",
        "visible",
        "published",
    )
    list_filter = ("direction", "level", "format", "ready", "visible", "published")
    search_fields = ("title", "short_description")
    autocomplete_fields = ("direction", "level")
    date_hierarchy = "start_date"
    fieldsets = (
        (None, {"fields": ("title", "direction", "level", "format", "start_date", "attempts_limit")}),
        (_("Описание"), {"fields": ("short_description", "full_description", "cover")}),
        (_("Показ"), {"fields": ("ready", "visible", "published")}),
        (_("Считается по урокам"), {"fields": ("duration", "number_of_classes")}),
        (_("Авторство"), {"fields": AUTHORSHIP}),
    )
    readonly_fields = ("duration", "number_of_classes")
    inlines = (CourseChapterInline, CourseLocationInline, CourseSkillInline, CourseFAQInline)
    actions = ("publish", "unpublish")

    def in_scope(self, user, course):
        return teacher_may_edit_course(user, course)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("direction", "level")

    def get_autocomplete_fields(self, request):
        fields = super().get_autocomplete_fields(request)
        if editable_direction_ids(request.user) is not None:
            # Their few directions, as a plain list.
            fields = tuple(name for name in fields if name != "direction")
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = editable_direction_ids(request.user)
        if db_field.name == "direction" and scope is not None:
            kwargs["queryset"] = Direction.objects.filter(pk__in=scope)
            kwargs["error_messages"] = {
                "invalid_choice": _("Вы можете вести курсы только своих направлений."),
            }
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # The form offers only allowed directions; this refuses a forged one all the same.
        if not teacher_may_edit_course(request.user, obj):
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        course_refresh(course=form.instance)

    # --- actions ---

    @admin.action(description=_("Опубликовать"), permissions=["change"])
    def publish(self, request, queryset):
        self._set_published(request, queryset, published=True)

    @admin.action(description=_("Снять с публикации"), permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_published(request, queryset, published=False)

    def _set_published(self, request, queryset, *, published: bool) -> None:
        selected = set(queryset.values_list("pk", flat=True))
        allowed = editable_courses(request.user, Course.objects.filter(pk__in=selected))
        if published:
            changed = course_publish(courses=allowed, user=request.user)
            message = gettext("Опубликовано курсов: %(count)d.")
        else:
            changed = course_unpublish(courses=allowed, user=request.user)
            message = gettext("Снято с публикации курсов: %(count)d.")
        self.message_user(request, message % {"count": changed})
        skipped = len(selected) - allowed.count()
        if skipped:
            self.message_user(
                request,
                gettext("Курсы чужих направлений не изменены: %(count)d.") % {"count": skipped},
                messages.WARNING,
            )


# --- Chapters -----------------------------------------------------------------------------


class ChapterLessonInline(admin.TabularInline):
    model = ChapterLesson
    formset = ChapterLessonFormSet
    fields = ("order_number", "lesson", "lesson_facts")
    readonly_fields = ("lesson_facts",)
    autocomplete_fields = ("lesson",)
    extra = 0
    verbose_name_plural = _("Уроки (по порядку)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("lesson")

    @admin.display(description=_("Тип, минут"))
    def lesson_facts(self, link):
        if link.pk is None:
            return "—"
        lesson = link.lesson
        facts = f"{lesson.get_type_display()}, {lesson.duration}"
        return facts if lesson.is_shown else f"{facts} — {gettext('не показывается')}"


@admin.register(Chapter)
class ChapterAdmin(DirectionScopedMixin, AuthoredAdmin, CourseContentAdmin):
    """Chapters and the order of their lessons. Administrators and teachers add and edit
    them (a restricted teacher only chapters whose every course is of their directions);
    administrators delete them. A saved chapter refreshes every course containing it, so
    a lesson added here reaches the volunteers already enrolled."""

    list_display = ("__str__", "course_list", "lesson_count", "updated_at")
    search_fields = ("title", "courses__title")
    fields = ("title", *AUTHORSHIP)
    inlines = (ChapterLessonInline,)

    def in_scope(self, user, chapter):
        return teacher_may_edit_chapter(user, chapter)

    def get_queryset(self, request):
        # distinct: a search by course title joins the courses and would multiply the count.
        lessons = Count("chapter_lessons", distinct=True)
        return super().get_queryset(request).annotate(lesson_total=lessons).prefetch_related("courses")

    @admin.display(description=_("Курсы"))
    def course_list(self, chapter):
        return ", ".join(str(course) for course in chapter.courses.all()) or "—"

    @admin.display(description=_("Уроков"), ordering="lesson_total")
    def lesson_count(self, chapter):
        return chapter.lesson_total

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_courses(courses_with_chapters([form.instance]))

    def delete_model(self, request, obj):
        courses = courses_with_chapters([obj])
        super().delete_model(request, obj)
        refresh_courses(courses)

    def delete_queryset(self, request, queryset):
        courses = courses_with_chapters(queryset)
        super().delete_queryset(request, queryset)
        refresh_courses(courses)


# --- Lessons ------------------------------------------------------------------------------


class VideoLessonForm(forms.ModelForm):
    class Meta:
        model = VideoLesson
        fields = ("video", "url")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("video") and not cleaned.get("url"):
            raise ValidationError(_("Загрузите файл видео или укажите ссылку на него."))
        return cleaned


class VideoLessonInline(admin.TabularInline):
    model = VideoLesson
    form = VideoLessonForm
    fields = ("video", "url", "user_modified", "updated_at")
    readonly_fields = ("user_modified", "updated_at")
    extra = 0
    verbose_name_plural = _("Видео (для видеоурока)")


class WebinarInline(admin.TabularInline):
    model = Webinar
    fields = ("url_webinar", "start_date", "reminded_at", "user_modified", "updated_at")
    readonly_fields = ("reminded_at", "user_modified", "updated_at")
    extra = 0
    verbose_name_plural = _("Вебинар (время московское)")


MATH_KEYBOARD_JS = "js/math-keyboard.js"
QUESTION_FIELDS = ("order_number", "kind", "text", "accepted_answers", "tolerance", "points")


def value_answer_errors(kind: str, accepted_answers: str) -> list[str]:
    """Why the accepted answers of a number or expression question cannot be checked: each
    line must read as a value of its kind (core.mathanswers, which loads SymPy — here, in
    the back office, not on the learners' pages)."""
    from core import mathanswers

    lines = [line for line in accepted_answers.splitlines() if line.strip()]
    errors = []
    for number, line in enumerate(lines, start=1):
        try:
            mathanswers.parse(kind, line, max_length=mathanswers.MAX_EXPECTED_LENGTH)
        except mathanswers.AnswerSyntaxError as error:
            where = gettext("Строка %(number)s «%(line)s»: ") % {"number": number, "line": line.strip()}
            errors.append((where if len(lines) > 1 else "") + error.hint)
    return errors


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = QUESTION_FIELDS
        localized_fields = ("tolerance",)  # 0,01 as a Russian writes it

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "accepted_answers" in self.fields:  # √, π, ² from the virtual keyboard
            self.fields["accepted_answers"].widget.attrs["data-math-keyboard"] = ""

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        accepted = (cleaned.get("accepted_answers") or "").strip()
        if kind == Question.Kind.TEXT and not accepted:
            self.add_error("accepted_answers", _("Для короткого ответа укажите хотя бы один правильный ответ."))
        if kind in Question.VALUE_KINDS:
            if not accepted:
                self.add_error(
                    "accepted_answers", _("Укажите верный ответ, например 0,5 или 2√2 (другие — с новой строки).")
                )
            for error in value_answer_errors(kind, accepted):
                self.add_error("accepted_answers", error)
        if cleaned.get("tolerance") is not None and kind != Question.Kind.NUMBER:
            self.add_error("tolerance", _("Погрешность указывается только для вопроса «Число»."))
        return cleaned


class QuestionInline(admin.TabularInline):
    model = Question
    form = QuestionForm
    fields = QUESTION_FIELDS
    formfield_overrides = SMALL_TEXTAREA
    extra = 0
    show_change_link = True
    verbose_name_plural = _("Вопросы теста (варианты ответов — по ссылке «Изменить»)")

    class Media:
        js = (MATH_KEYBOARD_JS,)


@admin.register(Lesson)
class LessonAdmin(DirectionScopedMixin, AuthoredAdmin, CourseContentAdmin):
    """Lessons with their video, webinar or quiz questions. Administrators and teachers
    add and edit them (a restricted teacher only lessons whose every course is of their
    directions); administrators delete them. A saved lesson refreshes every course that
    contains it (its duration and visibility count in the course's totals)."""

    list_display = ("title", "type", "duration", "ready", "visible", "published", "additional", "diploma")
    list_filter = ("type", "ready", "visible", "published", "additional", "diploma")
    search_fields = ("title", "tags")
    fieldsets = (
        (None, {"fields": ("title", "type", "duration", "tags", "description")}),
        (_("Показ и роль в курсе"), {"fields": ("ready", "visible", "published", "additional", "diploma")}),
        (_("Авторство"), {"fields": AUTHORSHIP}),
    )
    inlines = (VideoLessonInline, WebinarInline, QuestionInline)
    INLINES_BY_TYPE = {
        Lesson.Type.VIDEO: (VideoLessonInline,),
        Lesson.Type.WEBINAR: (WebinarInline,),
        Lesson.Type.QUIZ: (QuestionInline,),
        Lesson.Type.TEXT: (),
    }

    def in_scope(self, user, lesson):
        return teacher_may_edit_lesson(user, lesson)

    def get_inlines(self, request, obj):
        # A new lesson may become any type; a saved one shows what its type uses.
        return self.inlines if obj is None else self.INLINES_BY_TYPE.get(obj.type, ())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_courses(courses_with_lessons([form.instance]))

    def delete_model(self, request, obj):
        courses = courses_with_lessons([obj])
        super().delete_model(request, obj)
        refresh_courses(courses)

    def delete_queryset(self, request, queryset):
        courses = courses_with_lessons(queryset)
        super().delete_queryset(request, queryset)
        refresh_courses(courses)


class ChoiceFormSet(forms.BaseInlineFormSet):
    """Choice questions need at least two options: exactly one correct for «Один
    вариант», at least one for «Несколько вариантов»."""

    def clean(self):
        super().clean()
        kind = self.instance.kind
        if kind not in (Question.Kind.SINGLE, Question.Kind.MULTIPLE) or any(self.errors):
            return
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        correct = sum(1 for form in kept if form.cleaned_data.get("is_correct"))
        if len(kept) < 2:
            raise ValidationError(_("Добавьте хотя бы два варианта ответа."))
        if kind == Question.Kind.SINGLE and correct != 1:
            raise ValidationError(_("Отметьте ровно один верный вариант."))
        if kind == Question.Kind.MULTIPLE and not correct:
            raise ValidationError(_("Отметьте хотя бы один верный вариант."))


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceFormSet
    fields = ("text", "is_correct")
    extra = 0
    verbose_name_plural = _("Варианты ответа (для вопросов с выбором)")


@admin.register(Question)
class QuestionAdmin(DirectionScopedMixin, CourseContentAdmin):
    """Quiz questions with their answer options. Administrators and teachers add and edit
    them (a restricted teacher only those of lessons within their directions);
    administrators delete them."""

    list_display = ("__str__", "lesson", "kind", "points")
    list_filter = ("kind",)
    list_select_related = ("lesson",)
    search_fields = ("text", "lesson__title")
    autocomplete_fields = ("lesson",)
    form = QuestionForm
    fields = ("lesson", *QUESTION_FIELDS)
    inlines = (ChoiceInline,)

    class Media:
        js = (MATH_KEYBOARD_JS,)

    def in_scope(self, user, question):
        return teacher_may_edit_lesson(user, question.lesson)

    def save_model(self, request, obj, form, change):
        # A new question may not go into a lesson of another direction's course.
        if not teacher_may_edit_lesson(request.user, obj.lesson):
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lesson":
            kwargs["queryset"] = Lesson.objects.filter(type=Lesson.Type.QUIZ)
            kwargs["error_messages"] = {"invalid_choice": _("Выберите урок с типом «Тест».")}
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- Enrolment and progress ---------------------------------------------------------------

VOLUNTEER_SEARCH = ("volunteer__user__first_name", "volunteer__user__last_name", "volunteer__user__email")


class AdministratorsEditMixin:
    """Rows that administrators may add and correct; teachers only view them."""

    def has_add_permission(self, request):
        return super().has_add_permission(request) and is_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and is_administrator(request.user)


@admin.register(VolunteerCourse)
class VolunteerCourseAdmin(AdministratorsEditMixin, admin.ModelAdmin):
    """Enrolments. Teachers and administrators see who takes and who has passed each
    course. Administrators enrol a volunteer by hand (without the level and region checks
    of the catalogue: it is their decision) and correct the status — «Вы записаны»
    creates the volunteer's lesson progress rows; assessment and attempts are computed
    by the services and only shown. Administrators delete enrolments."""

    list_display = ("volunteer", "course", "status", "assessment", "attempts", "created_at")
    list_filter = ("status", "course")
    list_select_related = ("volunteer__user", "course")
    search_fields = (*VOLUNTEER_SEARCH, "course__title")
    autocomplete_fields = ("volunteer", "course")
    fields = ("volunteer", "course", "status", "assessment", "attempts", "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        computed = ("assessment", "attempts", "created_at", "updated_at")
        return computed if obj is None else ("volunteer", "course", *computed)


@admin.register(VolunteerLesson)
class VolunteerLessonAdmin(admin.ModelAdmin):
    """Lesson progress of volunteers, as the lesson pages record it. Teachers and
    administrators view it; nobody writes it here; administrators may delete a row."""

    list_display = ("volunteer", "lesson", "passed", "start_date", "end_date")
    list_filter = ("passed", "lesson__type")
    list_select_related = ("volunteer__user", "lesson")
    search_fields = (*VOLUNTEER_SEARCH, "lesson__title")
    fields = ("volunteer", "lesson", "passed", "start_date", "end_date", "created_at", "updated_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AnswerInline(ReadOnlyInline):
    model = Answer
    fields = ("question", "chosen", "text", "fraction", "teacher_comment", "reviewed_by", "reviewed_at")
    readonly_fields = fields
    verbose_name_plural = _("Ответы")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question", "reviewed_by").prefetch_related("choices")

    @admin.display(description=_("Выбранные варианты"))
    def chosen(self, answer):
        return ", ".join(choice.text for choice in answer.choices.all()) or "—"


@admin.register(QuizAttempt)
class QuizAttemptAdmin(admin.ModelAdmin):
    """Submitted quizzes with their answers. Teachers and administrators view them (open
    answers are scored on the teachers' review page, which records who scored and tells
    the volunteer); administrators may delete an attempt."""

    list_display = ("volunteer", "course", "lesson", "number", "status", "score", "submitted_at", "checked_at")
    list_filter = ("status",)
    list_select_related = ("enrolment__volunteer__user", "enrolment__course", "lesson")
    search_fields = (*(f"enrolment__{name}" for name in VOLUNTEER_SEARCH), "lesson__title")
    fields = ("enrolment", "lesson", "number", "status", "score", "submitted_at", "checked_at")
    readonly_fields = fields
    inlines = (AnswerInline,)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Волонтёр"), ordering="enrolment__volunteer__user__last_name")
    def volunteer(self, attempt):
        return attempt.enrolment.volunteer

    @admin.display(description=_("Курс"), ordering="enrolment__course__title")
    def course(self, attempt):
        return attempt.enrolment.course


# --- Teachers' limits ---------------------------------------------------------------------


class TeacherAutocompleteView(AutocompleteJsonView):
    """The users' autocomplete, limited to teachers and to administrators' use."""

    def has_perm(self, request, obj=None):
        return super().has_perm(request, obj) and is_administrator(request.user)

    def get_queryset(self):
        return super().get_queryset().filter(groups__name=TEACHER)


class TeacherAutocomplete(AutocompleteSelect):
    url_name = "%s:courses_teacherscope_teacher_autocomplete"


@admin.register(TeacherScope)
class TeacherScopeAdmin(admin.ModelAdmin):
    """Administrators and main administrators decide, per teacher, whether the teacher
    edits the courses of every direction or only of the chosen ones (spec 001). Teachers
    have no access, not even to their own row. A teacher without a row edits every
    direction."""

    list_display = ("teacher", "all_directions", "direction_list")
    list_filter = ("all_directions",)
    search_fields = ("teacher__first_name", "teacher__last_name", "teacher__email")
    autocomplete_fields = ("directions",)
    fields = ("teacher", "all_directions", "directions")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("teacher").prefetch_related("directions")

    def get_urls(self):
        autocomplete = self.admin_site.admin_view(TeacherAutocompleteView.as_view(admin_site=self.admin_site))
        return [
            path("teacher-autocomplete/", autocomplete, name="courses_teacherscope_teacher_autocomplete"),
            *super().get_urls(),
        ]

    def get_readonly_fields(self, request, obj=None):
        # A row belongs to its teacher; to limit another teacher, add their own row.
        return ("teacher",) if obj is not None else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "teacher":
            kwargs["queryset"] = User.objects.filter(groups__name=TEACHER).distinct()
            kwargs["widget"] = TeacherAutocomplete(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("Свои направления"))
    def direction_list(self, scope):
        if scope.all_directions:
            return gettext("все")
        return format_html_join(", ", "{}", ((direction.title,) for direction in scope.directions.all())) or "—"

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return is_administrator(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return is_administrator(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_administrator(request.user) and super().has_delete_permission(request, obj)


# --- Certificates -------------------------------------------------------------------------


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """Issued certificates, read-only: the services issue them when a course is passed
    (and `generate_certificates` catches up). Administrators and main administrators see
    every certificate and re-issue the selected ones («Перевыпустить»: same code, a new
    file); a teacher sees those of the courses they created, last modified or lead, as
    on the download page. Main administrators and administrators delete rows (the file
    goes with them)."""

    list_display = ("volunteer", "course", "final_assessment", "created_at", "updated_at", "file_link")
    list_filter = ("course", "created_at")
    list_select_related = ("volunteer__user", "course")
    search_fields = (*VOLUNTEER_SEARCH, "course__title", "=code")
    fields = ("volunteer", "course", "final_assessment", "issued", "code", "file_link", "created_at", "updated_at")
    readonly_fields = fields
    date_hierarchy = "created_at"
    actions = ("reissue",)

    def get_queryset(self, request):
        certificates = super().get_queryset(request)
        condition = downloadable_condition(request.user)
        return certificates if condition is None else certificates.filter(condition)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_reissue_permission(self, request):
        return is_administrator(request.user)

    @admin.display(description=_("Файл"))
    def file_link(self, certificate):
        if not certificate.file:
            return "—"
        url = reverse("certificates:download", args=[certificate.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Скачать PDF"))

    @admin.action(description=_("Перевыпустить"), permissions=["reissue"])
    def reissue(self, request, queryset):
        certificates = list(queryset)
        passed = {
            (enrolment.volunteer_id, enrolment.course_id): enrolment
            for enrolment in VolunteerCourse.objects.filter(
                status=VolunteerCourse.Status.PASSED,
                volunteer_id__in={certificate.volunteer_id for certificate in certificates},
                course_id__in={certificate.course_id for certificate in certificates},
            ).select_related("volunteer__user")
        }
        reissued, not_passed, failed = 0, 0, 0
        for certificate in certificates:
            enrolment = passed.get((certificate.volunteer_id, certificate.course_id))
            if enrolment is None:
                not_passed += 1
                continue
            try:
                certificate_issue(enrolment=enrolment, force=True)
            except Exception:  # one broken certificate does not stop the others
                logger.exception("Certificate %s not re-issued", certificate.pk)
                failed += 1
            else:
                reissued += 1
        self.message_user(request, gettext("Перевыпущено сертификатов: %(count)d.") % {"count": reissued})
        if not_passed:
            self.message_user(
                request,
                gettext("Не перевыпущены — курс больше не числится пройденным: %(count)d.") % {"count": not_passed},
                messages.WARNING,
            )
        if failed:
            self.message_user(
                request,
                gettext("Не удалось перевыпустить (подробности в журнале): %(count)d.") % {"count": failed},
                messages.ERROR,
            )
