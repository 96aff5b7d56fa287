"""The three levels of spec 001, in order. A plain constants module: the data migration
imports it, so it must not import models."""

LEVELS = (
    (1, "Новичок", "Начальный уровень: открыт сразу после регистрации, подтверждение не нужно."),
    (2, "Бывалый", "Есть опыт волонтёрской работы. Уровень подтверждает администратор."),
    (3, "Профессионал", "Большой опыт и готовность вести других. Уровень подтверждает администратор."),
)


def ensure_levels(level_model) -> None:
    """Create the levels that are missing (descriptions edited in the admin are kept)."""
    for rank, name, description in LEVELS:
        level_model.objects.get_or_create(name=name, defaults={"rank": rank, "description": description})
