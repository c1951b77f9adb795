import factory

from accounts.models import Language, Organization, User

PASSWORD = "correct-horse-battery"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Empresa {n} S.L.")
    tax_id = factory.Sequence(lambda n: f"B{n:08d}")
    email = factory.Sequence(lambda n: f"billing{n}@empresa.example")
    address = "Calle Mayor 1"
    postal_code = "28013"
    city = "Madrid"
    language = Language.SPANISH


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name", locale="es_ES")
    role = User.Role.CLIENT
    organization = factory.SubFactory(OrganizationFactory)
    language = Language.SPANISH

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class TechnicianFactory(UserFactory):
    role = User.Role.TECHNICIAN
    organization = None
    email = factory.Sequence(lambda n: f"tech{n}@soporte.example")


class AdminFactory(UserFactory):
    role = User.Role.ADMIN
    organization = None
    is_superuser = True
    email = factory.Sequence(lambda n: f"admin{n}@soporte.example")
