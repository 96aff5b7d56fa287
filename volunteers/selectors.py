from accounts.models import User
from volunteers.models import Volunteer


def volunteer_for_profile(user: User) -> Volunteer | None:
    """The user's volunteer profile with what its page shows, or None before the first save."""
    return (
        Volunteer.objects.filter(user=user)
        .with_effective_level()
        .select_related("location")
        .prefetch_related("directions", "level_records__level", "badges")
        .first()
    )
