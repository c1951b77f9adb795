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
    # Client users made by tests are their organization's managers (every client user
    # was one before issue 19); MemberFactory makes the others.
    org_role = User.OrgRole.MANAGER
    organization = factory.SubFactory(OrganizationFactory)
    language = Language.SPANISH

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class MemberFactory(UserFactory):
    """A client user who is a member, not a manager, of their organization."""

    org_role = User.OrgRole.MEMBER


class StaffFactory(UserFactory):
    """Staff must use a second factor: by default they have an authenticator app with
    the known test secret (tests/accounts/mfa.py). ``second_factor=False`` for a new
    staff member who has not set it up yet."""

    organization = None
    org_role = User.OrgRole.MEMBER

    @factory.post_generation
    def second_factor(self, create, extracted, **kwargs):
        if create and extracted is not False:
            from tests.accounts.mfa import give_second_factor

            give_second_factor(self)


class TechnicianFactory(StaffFactory):
    role = User.Role.TECHNICIAN
    email = factory.Sequence(lambda n: f"tech{n}@soporte.example")


class AdminFactory(StaffFactory):
    role = User.Role.ADMIN
    is_superuser = True
    email = factory.Sequence(lambda n: f"admin{n}@soporte.example")
