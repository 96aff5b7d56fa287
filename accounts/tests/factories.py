import factory
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.services import user_sync_staff_status

TEST_PASSWORD = "Пароль-для-тестов-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@volna.example")
    # Confirmed unless a test says otherwise (confirmed_email=""): most tests are about
    # something else, and an account that signs in with its password works either way.
    confirmed_email = factory.LazyAttribute(lambda user: user.email)
    first_name = factory.Faker("first_name", locale="ru_RU")
    last_name = factory.Faker("last_name", locale="ru_RU")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """UserFactory(roles=["Преподаватель"]): the groups, and the staff status they imply."""
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
            user_sync_staff_status(user=self)
