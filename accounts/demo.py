"""Demo accounts, one or more per role (their password is documented in the README), with
confirmed addresses."""

from accounts.models import User
from accounts.roles import ADMIN, MAIN_ADMIN, TEACHER, VOLUNTEER
from accounts.services import user_register, user_set_roles

DEMO_PASSWORD = "volna-demo-2026"

DEMO_USERS = (
    ("glavadmin@volna.example", "Ирина", "Соколова", MAIN_ADMIN),
    ("admin@volna.example", "Андрей", "Морозов", ADMIN),
    ("teacher@volna.example", "Елена", "Васильева", TEACHER),
    ("volunteer@volna.example", "Дмитрий", "Кузнецов", VOLUNTEER),
    ("anna@volna.example", "Анна", "Смирнова", VOLUNTEER),
)


def seed() -> dict[str, int]:
    """Create the demo accounts that are missing; existing ones are left as they are."""
    created = 0
    for email, first_name, last_name, role in DEMO_USERS:
        if User.objects.filter(email__iexact=email).exists():
            continue
        user = user_register(
            email=email, first_name=first_name, last_name=last_name, password=DEMO_PASSWORD, email_confirmed=True
        )
        user_set_roles(user=user, roles=[role])
        created += 1
    return {"пользователи": created}
