"""The volunteers app's REST endpoints under /api/v1/: `me/`, the signed-in person — the
account, the roles and the volunteer profile — read and edited as the site's two profile
pages do it, through their forms (accounts.forms.ProfileForm, VolunteerProfileForm) and
services. Here and not in accounts: the volunteer profile is this app's, and accounts
imports no app above it."""

from django.db import transaction
from django.urls import path
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.forms import ProfileForm
from accounts.models import User
from accounts.selectors import email_editable_in_profile, photo_url, yandex_account_of
from accounts.services import email_change_request, person_contacts_update, user_saved
from accounts.tokens import ROLE_CLAIMS, role_claims
from core.ratelimit import TOO_MANY_MESSAGE, rate_limit_reached
from volunteers.forms import VolunteerProfileForm, level_shown
from volunteers.models import Badge, Direction, Level, Location, Volunteer
from volunteers.selectors import volunteer_for_profile
from volunteers.services import LevelLoweringNotConfirmed, volunteer_choose_level, volunteer_create, volunteer_update

EMAIL_FROM_YANDEX = gettext_lazy("Адрес учётной записи Яндекс ID берётся из Яндекса: изменить его нельзя.")
EMAIL_NEEDS_PASSWORD = gettext_lazy("Чтобы сменить адрес, сначала задайте пароль на сайте.")
NOT_AN_OBJECT = gettext_lazy("Ожидается объект JSON.")
CONFIRM_LOWERING = gettext_lazy("Чтобы понизить уровень, передайте ещё «lowering_confirmed»: true.")

# The fields of the site's profile forms that PATCH takes: the API's name → the form's.
ACCOUNT_FIELDS = {
    name: name
    for name in ("first_name", "last_name", "email", "current_password", "phone_number", "curr_job_place", "address")
}
VOLUNTEER_FIELDS = {
    "phone_number": "phone_number",
    "birth_date": "birth_date",
    "region": "location",
    "directions": "directions",
    "call_sign": "call_sign",
    "level": "level",
}


# --- The representation ------------------------------------------------------------------


class LevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Level
        fields = ("id", "name", "rank")


class RegionSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="region")

    class Meta:
        model = Location
        fields = ("id", "code", "name")


class DirectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Direction
        fields = ("id", "title")


class BadgeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Badge
        fields = ("id", "name", "description")


class VolunteerProfileSerializer(serializers.ModelSerializer):
    phone_number = serializers.CharField()
    region = RegionSerializer(source="location")
    directions = DirectionSerializer(many=True)
    level = LevelSerializer(source="effective_level", allow_null=True, help_text="The confirmed level.")
    pending_level = LevelSerializer(allow_null=True, help_text="A higher level asked for, awaiting an administrator.")
    badges = BadgeSerializer(many=True)

    class Meta:
        model = Volunteer
        fields = ("phone_number", "birth_date", "region", "directions", "call_sign", "level", "pending_level", "badges")


class MeSerializer(serializers.ModelSerializer):
    """The user, with `context`: `yandex_account` and `volunteer` (volunteer_for_profile)."""

    roles = serializers.SerializerMethodField()
    email_confirmed = serializers.BooleanField(read_only=True)
    email_editable = serializers.SerializerMethodField(help_text="False for a Yandex ID account: Yandex's address.")
    yandex_linked = serializers.SerializerMethodField()
    volunteer = serializers.SerializerMethodField(help_text="Null until the volunteer profile is first saved.")
    phone_number = serializers.SerializerMethodField(
        help_text="The person's phone (E.164, as `volunteer.phone_number`), \"\" for none; a volunteer's is the "
        "profile's: the same number."
    )
    photo = serializers.SerializerMethodField(help_text="The photo's thumbnail on the site (signed-in users), or null.")

    class Meta:
        model = User
        fields = (
            "id",
            "username",
            "email",
            "email_confirmed",
            "pending_email",
            "email_editable",
            "first_name",
            "last_name",
            "phone_number",
            "curr_job_place",
            "address",
            "photo",
            "yandex_linked",
            "roles",
            "volunteer",
        )

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=list(ROLE_CLAIMS.values()))))
    def get_roles(self, user) -> list[str]:
        return role_claims(user)

    def get_email_editable(self, user) -> bool:
        return email_editable_in_profile(user, yandex_account=self.context["yandex_account"])

    def get_phone_number(self, user) -> str:
        return str(user.phone)

    def get_photo(self, user) -> str | None:
        photo = user.photo
        return self.context["request"].build_absolute_uri(photo_url(photo)) if photo else None

    def get_yandex_linked(self, user) -> bool:
        return self.context["yandex_account"] is not None

    @extend_schema_field(VolunteerProfileSerializer(allow_null=True))
    def get_volunteer(self, user):
        volunteer = self.context["volunteer"]
        return None if volunteer is None else VolunteerProfileSerializer(volunteer).data


def _me(request) -> dict:
    user = request.user
    volunteer = volunteer_for_profile(user)
    User.volunteer.related.set_cached_value(user, volunteer)  # User.phone and .photo read it (None too)
    context = {"yandex_account": yandex_account_of(user), "volunteer": volunteer, "request": request}
    return MeSerializer(user, context=context).data


# --- Edits: the site's forms, fed the current values with the request's on top -------------


class VolunteerUpdateSerializer(serializers.Serializer):
    """The schema of PATCH's `volunteer` (VolunteerProfileForm checks the values)."""

    phone_number = serializers.CharField(required=False)
    birth_date = serializers.DateField(required=False)
    region = serializers.IntegerField(required=False, help_text="A region's id.")
    directions = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="Directions' ids.")
    call_sign = serializers.CharField(required=False, allow_blank=True)
    level = serializers.IntegerField(
        required=False,
        help_text="The level wanted: higher than the confirmed one — a request for administrators; lower — "
        "only with `lowering_confirmed`.",
    )
    lowering_confirmed = serializers.BooleanField(required=False)


class MeUpdateSerializer(serializers.Serializer):
    """The schema of PATCH (ProfileForm and VolunteerProfileForm check the values)."""

    first_name = serializers.CharField(required=False)
    last_name = serializers.CharField(required=False)
    email = serializers.EmailField(
        required=False,
        help_text="A new address is confirmed by a link mailed to it; needs `current_password`. Not for a Yandex "
        "ID account.",
    )
    current_password = serializers.CharField(required=False)
    phone_number = serializers.CharField(
        required=False, allow_blank=True, help_text="For a volunteer, the profile's phone (required there)."
    )
    curr_job_place = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    volunteer = VolunteerUpdateSerializer(required=False, help_text="Creates the volunteer profile if there is none.")


def _form_errors(form, names: dict[str, str]) -> dict[str, list[str]]:
    """A form's errors under the API's names of its fields."""
    api_name = {form_name: name for name, form_name in names.items()} | {"__all__": "non_field_errors"}
    return {
        api_name.get(field, field): [str(message) for message in messages] for field, messages in form.errors.items()
    }


def _account_form(user: User, changes: dict, *, email_editable: bool) -> ProfileForm:
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone_number": str(user.phone),
        "curr_job_place": user.curr_job_place,
        "address": user.address,
    }
    if email_editable:
        # The address the page shows: a change waiting for confirmation stays as it is.
        data |= {"email": user.pending_email or user.email, "current_password": ""}
    return ProfileForm(data | changes, instance=user, email_editable=email_editable)


def _volunteer_form(user: User, volunteer: Volunteer | None, changes: dict) -> VolunteerProfileForm:
    # A first profile takes the account's phone unless another is given (volunteer_create moves it).
    data = {"phone_number": str(user.phone_number)} if user.phone_number else {}
    if volunteer is not None:
        data = {
            "phone_number": str(volunteer.phone_number),
            "birth_date": volunteer.birth_date.isoformat(),
            "location": volunteer.location_id,
            "directions": [direction.pk for direction in volunteer.directions.all()],
            "call_sign": volunteer.call_sign,
        }
    level = level_shown(volunteer)
    data["level"] = level.pk if level else None
    return VolunteerProfileForm(data | changes, instance=volunteer)


def _save_account(form: ProfileForm) -> None:
    """What the site's profile page does with a valid form (accounts.views.profile)."""
    requested_email = form.requested_email()
    user = form.save()
    person_contacts_update(user=user, **form.contact_changes())
    user_saved(changed=form.changed_data)
    if requested_email is not None:
        email_change_request(user=user, email=requested_email)


def _save_volunteer(user: User, volunteer: Volunteer | None, form: VolunteerProfileForm, *, lowering_confirmed: bool):
    """What the site's volunteer profile page does with a valid form (volunteers.views), the
    lowering of a level confirmed by `lowering_confirmed`, as the page's form confirms it."""
    directions = form.cleaned_data["directions"]
    if volunteer is None:
        volunteer = volunteer_create(user=user, directions=directions, **form.profile_fields())
    else:
        volunteer = volunteer_update(volunteer=volunteer, directions=directions, **form.profile_fields())
    try:
        volunteer_choose_level(
            volunteer=volunteer, level=form.cleaned_data["level"], lowering_confirmed=lowering_confirmed
        )
    except LevelLoweringNotConfirmed as refused:
        raise ValidationError({"volunteer": {"level": [f"{refused} {CONFIRM_LOWERING}"]}}) from refused


ME_EXAMPLE = {
    "id": 7,
    "username": "d.kuznetsov",
    "email": "volunteer@volna.example",
    "email_confirmed": True,
    "pending_email": "",
    "email_editable": True,
    "first_name": "Дмитрий",
    "last_name": "Кузнецов",
    "phone_number": "+79161234567",
    "curr_job_place": "Школа № 5, учитель физики",
    "address": "Москва, ул. Лесная, 3",
    "photo": "https://volna.example/accounts/users/7/photo/avatar/?v=3f2a9c1b7e",
    "yandex_linked": False,
    "roles": ["volunteer"],
    "volunteer": {
        "phone_number": "+79161234567",
        "birth_date": "1999-03-08",
        "region": {"id": 1, "code": 77, "name": "Москва"},
        "directions": [{"id": 2, "title": "Экология"}],
        "call_sign": "Сокол",
        "level": {"id": 2, "name": "Бывалый", "rank": 2},
        "pending_level": {"id": 3, "name": "Профессионал", "rank": 3},
        "badges": [{"id": 1, "name": "Первый выезд", "description": "За участие."}],
    },
}


class MeView(APIView):
    """The signed-in user, and only their own account."""

    @extend_schema(
        tags=["me"],
        summary="The signed-in user, roles and volunteer profile",
        responses={200: OpenApiResponse(MeSerializer, examples=[OpenApiExample("Волонтёр", value=ME_EXAMPLE)])},
    )
    def get(self, request):
        return Response(_me(request))

    @extend_schema(
        tags=["me"],
        summary="Edit what the site's profile pages edit",
        description=(
            "Only the fields given change; the rules are the profile pages' (a new address waits for the link mailed "
            "to it; a higher level waits for an administrator). The photo is changed on the site. Errors: 400 with "
            "the fields' messages, under `volunteer` for the profile's."
        ),
        request=MeUpdateSerializer,
        responses={
            200: MeSerializer,
            400: OpenApiResponse(description="The fields' errors, as {field: [messages]}."),
            429: OpenApiResponse(description="Too many address changes (RATE_LIMITS['email_confirmation'])."),
        },
        examples=[
            OpenApiExample("Имя", value={"first_name": "Дмитрий"}, request_only=True),
            OpenApiExample(
                "Профиль",
                value={"phone_number": "8 916 123-45-67", "curr_job_place": "Школа № 5", "address": "Москва"},
                request_only=True,
            ),
            OpenApiExample(
                "Анкета", value={"volunteer": {"region": 1, "directions": [2], "level": 3}}, request_only=True
            ),
            OpenApiExample(
                "Новый адрес",
                value={"email": "new@volna.example", "current_password": "пароль"},
                request_only=True,
            ),
        ],
    )
    def patch(self, request):
        user, changes = request.user, request.data
        if not isinstance(changes, dict):
            raise ValidationError({"non_field_errors": [NOT_AN_OBJECT]})
        volunteer_changes = changes.get("volunteer")
        if "volunteer" in changes and not isinstance(volunteer_changes, dict):
            raise ValidationError({"volunteer": {"non_field_errors": [NOT_AN_OBJECT]}})
        errors = {}

        yandex_account = yandex_account_of(user)
        email_editable = email_editable_in_profile(user, yandex_account=yandex_account)
        account_changes = {ACCOUNT_FIELDS[name]: value for name, value in changes.items() if name in ACCOUNT_FIELDS}
        if not email_editable and {"email", "current_password"} & account_changes.keys():
            errors["email"] = [str(EMAIL_FROM_YANDEX if yandex_account else EMAIL_NEEDS_PASSWORD)]
        account_form = None
        if account_changes:
            account_form = _account_form(user, account_changes, email_editable=email_editable)
            if not account_form.is_valid():
                errors |= _form_errors(account_form, ACCOUNT_FIELDS)

        volunteer = volunteer_for_profile(user)
        volunteer_form = None
        if volunteer_changes is not None:
            form_changes = {
                VOLUNTEER_FIELDS[name]: value for name, value in volunteer_changes.items() if name in VOLUNTEER_FIELDS
            }
            if "phone_number" in account_changes:  # one phone: the account's changes it in the profile too
                form_changes.setdefault("phone_number", account_changes["phone_number"])
            volunteer_form = _volunteer_form(user, volunteer, form_changes)
            if not volunteer_form.is_valid():
                errors["volunteer"] = _form_errors(volunteer_form, VOLUNTEER_FIELDS)
        if errors:
            raise ValidationError(errors)

        if (
            account_form is not None
            and account_form.mails_a_link()
            and rate_limit_reached(request, "email_confirmation", email=account_form.requested_email())
        ):
            raise Throttled(detail=TOO_MANY_MESSAGE)
        # One change: a level lowered without confirmation undoes the rest too.
        with transaction.atomic():
            if account_form is not None:
                _save_account(account_form)
            if volunteer_form is not None:
                lowering_confirmed = volunteer_changes.get("lowering_confirmed") is True
                _save_volunteer(user, volunteer, volunteer_form, lowering_confirmed=lowering_confirmed)
        return Response(_me(request))


urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
]
