"""Demo reference data and volunteer profiles. Runs after accounts.demo: its volunteers
get profiles here, and its main administrator confirms their levels."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.core.management.base import CommandError

from accounts.demo import DEMO_PASSWORD, DEMO_USERS
from accounts.models import User
from accounts.roles import MAIN_ADMIN
from accounts.services import user_register
from core.cache import content_changed
from volunteers.importers import import_locations, parse_locations
from volunteers.models import Badge, Direction, Level, Location, Volunteer
from volunteers.services import badge_award, levels_confirm, volunteer_choose_level, volunteer_create

REGIONS_CSV = Path(__file__).resolve().parent / "data" / "regions.csv"

DIRECTIONS = (
    ("Поисково-спасательные работы", "Поиск пропавших людей, работа в штабе и на выездах."),
    ("Помощь пожилым людям", "Посещения, покупка продуктов и лекарств, помощь по дому."),
    ("Экологические акции", "Уборка берегов и парков, раздельный сбор отходов, посадка деревьев."),
    ("Работа с детьми", "Занятия и праздники в детских домах, больницах и школах."),
    ("Помощь животным", "Приюты для животных: выгул, уход, поиск хозяев."),
    ("Донорство", "Донорские акции и помощь службе крови."),
)

BADGES = (
    ("Первый выезд", "Участие в первом выезде или первой акции."),
    ("Наставник", "Помог освоиться трём и более новичкам."),
    ("100 часов", "Сто часов волонтёрской работы."),
    ("Спасатель года", "За особый вклад в поисково-спасательные работы за год."),
)


@dataclass(frozen=True)
class DemoVolunteer:
    email: str
    phone_number: str
    birth_date: date
    region_code: int
    directions: tuple[str, ...]
    level: str  # confirmed
    requested_level: str | None = None  # waiting for an administrator
    badges: tuple[str, ...] = ()
    call_sign: str = ""
    # Empty for the accounts that accounts.demo creates; the others are registered here.
    first_name: str = ""
    last_name: str = ""


NOVICE, EXPERIENCED, PROFESSIONAL = Level.Name.NOVICE, Level.Name.EXPERIENCED, Level.Name.PROFESSIONAL

DEMO_VOLUNTEERS = (
    DemoVolunteer(
        email="volunteer@volna.example",
        phone_number="+79000000001",
        birth_date=date(1994, 3, 12),
        region_code=77,
        directions=("Поисково-спасательные работы", "Донорство"),
        level=EXPERIENCED,
        badges=("Первый выезд",),
        call_sign="Кузя",
    ),
    DemoVolunteer(
        email="anna@volna.example",
        phone_number="+79000000002",
        birth_date=date(2001, 9, 4),
        region_code=78,
        directions=("Помощь пожилым людям", "Работа с детьми"),
        level=NOVICE,
        requested_level=EXPERIENCED,
    ),
    DemoVolunteer(
        email="mikhail.orlov@volna.example",
        first_name="Михаил",
        last_name="Орлов",
        phone_number="+79000000003",
        birth_date=date(1985, 11, 23),
        region_code=59,
        directions=("Поисково-спасательные работы",),
        level=PROFESSIONAL,
        badges=("Первый выезд", "Наставник", "100 часов", "Спасатель года"),
        call_sign="Орёл",
    ),
    DemoVolunteer(
        email="olga.nikitina@volna.example",
        first_name="Ольга",
        last_name="Никитина",
        phone_number="+79000000004",
        birth_date=date(1990, 6, 30),
        region_code=16,
        directions=("Работа с детьми", "Помощь пожилым людям"),
        level=PROFESSIONAL,
        badges=("Наставник", "100 часов"),
    ),
    DemoVolunteer(
        email="ekaterina.lebedeva@volna.example",
        first_name="Екатерина",
        last_name="Лебедева",
        phone_number="+79000000005",
        birth_date=date(1997, 8, 8),
        region_code=23,
        directions=("Помощь животным", "Экологические акции"),
        level=EXPERIENCED,
        requested_level=PROFESSIONAL,
        badges=("Первый выезд", "100 часов"),
    ),
    DemoVolunteer(
        email="artem.volkov@volna.example",
        first_name="Артём",
        last_name="Волков",
        phone_number="+79000000006",
        birth_date=date(2003, 1, 17),
        region_code=54,
        directions=("Экологические акции",),
        level=NOVICE,
        badges=("Первый выезд",),
        call_sign="Волчок",
    ),
    DemoVolunteer(
        email="sergey.pavlov@volna.example",
        first_name="Сергей",
        last_name="Павлов",
        phone_number="+79000000007",
        birth_date=date(1978, 4, 2),
        region_code=66,
        directions=("Донорство",),
        level=NOVICE,
    ),
)


def seed() -> dict[str, int]:
    """Create what is missing: regions (from regions.csv, through the importer), directions,
    badges, and the demo volunteers' profiles with their levels and badges. A volunteer who
    already has a profile is left as they are."""
    regions = _seed_regions()
    directions = _get_or_create_each(Direction, "title", DIRECTIONS)
    if directions:
        content_changed("site")  # the catalogue's filter lists them
    badges = _get_or_create_each(Badge, "name", BADGES)
    volunteers = _seed_volunteers()
    return {"регионы": regions, "направления": directions, "значки": badges, "волонтёры": volunteers}


def _seed_regions() -> int:
    rows, errors = parse_locations(REGIONS_CSV)
    report = import_locations(rows, errors=errors, dry_run=False)
    if report.errors:
        raise CommandError(f"Регионы из {REGIONS_CSV} не загружены:\n{report.errors}")
    return report.created


def _get_or_create_each(model, key: str, items) -> int:
    created = 0
    for value, description in items:
        _, is_new = model.objects.get_or_create(**{key: value}, defaults={"description": description})
        created += is_new
    return created


def _seed_volunteers() -> int:
    main_admin_email = next(email for email, *_names, role in DEMO_USERS if role == MAIN_ADMIN)
    confirmer = User.objects.get(email__iexact=main_admin_email)
    levels = {level.name: level for level in Level.objects.all()}
    created = 0
    for demo in DEMO_VOLUNTEERS:
        user = User.objects.filter(email__iexact=demo.email).first()
        if user is None and demo.first_name:
            user = user_register(
                email=demo.email,
                first_name=demo.first_name,
                last_name=demo.last_name,
                password=DEMO_PASSWORD,
                email_confirmed=True,
            )
        if user is None or Volunteer.objects.filter(user=user).exists():
            continue
        volunteer = volunteer_create(
            user=user,
            phone_number=demo.phone_number,
            birth_date=demo.birth_date,
            location=Location.objects.get(code=demo.region_code),
            call_sign=demo.call_sign,
            directions=Direction.objects.filter(title__in=demo.directions),
        )
        if levels[demo.level].rank > 1:
            volunteer_choose_level(volunteer=volunteer, level=levels[demo.level])
            pending = volunteer.level_records.filter(confirmed=False).values_list("pk", flat=True)
            levels_confirm(record_ids=list(pending), confirmed_by=confirmer)
        if demo.requested_level:
            volunteer_choose_level(volunteer=volunteer, level=levels[demo.requested_level])
        for badge in Badge.objects.filter(name__in=demo.badges):
            badge_award(badge=badge, volunteers=[volunteer], awarded_by=confirmer)
        created += 1
    return created
