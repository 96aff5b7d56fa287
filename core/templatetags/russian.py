"""Russian text in templates: {% load russian %} {{ steps|length|plural:"шаг,шага,шагов" }}
prints «3 шага»; {{ n|plural_form:"шаг,шага,шагов" }} prints only the noun («шага»)."""

from django import template

from core import text

register = template.Library()


def _forms(forms: str) -> tuple[str, str, str]:
    one, few, many = (form.strip() for form in forms.split(","))
    return one, few, many


@register.filter
def plural(number, forms: str) -> str:
    """The number and the noun form that fits it: «1 шаг», «3 шага», «5 шагов»."""
    return text.plural(number, *_forms(forms))


@register.filter
def plural_form(number, forms: str) -> str:
    """Only the noun form that fits the number: «шаг», «шага», «шагов»."""
    return text.plural_form(number, *_forms(forms))


@register.filter
def duration(minutes) -> str:
    """«2 ч 30 мин», «45 мин», «3 ч» (core.text.duration_text)."""
    return text.duration_text(minutes)


@register.filter
def phone(number) -> str:
    """A phone in the national format for a Russian number (core.text.phone_text)."""
    return text.phone_text(number)
