"""Demo people and client organizations (called by ``manage.py seed_demo``)."""

import base64

from accounts.models import Language, Organization, User
from accounts.services import create_client_user, create_staff_user

ORGANIZATIONS = (
    {
        "name": "Panadería La Espiga S.L.",
        "tax_id": "B12345678",
        "email": "administracion@laespiga.example",
        "address": "Calle del Horno 12",
        "postal_code": "46001",
        "city": "Valencia",
        "province": "Valencia",
        "language": Language.SPANISH,
        "users": (
            ("marta@laespiga.example", "Marta Giménez"),
            ("pablo@laespiga.example", "Pablo Ruiz"),
        ),
    },
    {
        "name": "Talleres Norte S.A.",
        "tax_id": "A87654321",
        "email": "facturas@talleresnorte.example",
        "address": "Polígono Industrial Norte, nave 4",
        "postal_code": "48950",
        "city": "Erandio",
        "province": "Bizkaia",
        "language": Language.SPANISH,
        "users": (("iker@talleresnorte.example", "Iker Etxeberria"),),
    },
    {
        "name": "Brightwave Studio Ltd",
        "tax_id": "ESN1234567J",
        "email": "accounts@brightwave.example",
        "address": "Carrer de Provença 200",
        "postal_code": "08036",
        "city": "Barcelona",
        "province": "Barcelona",
        "language": Language.ENGLISH,
        "users": (("emma@brightwave.example", "Emma Clarke"),),
    },
)

STAFF = (
    ("admin@soporte.example", "Admin Soporte", User.Role.ADMIN),
    ("lucia@soporte.example", "Lucía Navarro", User.Role.TECHNICIAN),
    ("jorge@soporte.example", "Jorge Molina", User.Role.TECHNICIAN),
)


# The demo staff's authenticator key (base32), printed by seed_demo: staff must pass a
# second factor, so a newcomer adds this key to an authenticator app to log in.
DEMO_TOTP_SECRET = "DEMOSOPORTEDOSMILVEINTISEISDEMOS"  # noqa: S105 - demo logins only


def _demo_second_factor(user) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        key = base64.b32decode(DEMO_TOTP_SECRET).hex()
        TOTPDevice.objects.create(user=user, name="demo", confirmed=True, key=key)


def seed(demo) -> None:
    for email, name, role in STAFF:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = create_staff_user(email, role=role, password=demo.password, full_name=name)
        _demo_second_factor(user)
        demo.login(role, email)
    demo.stdout.write(
        f"Demo staff second factor: add the key {DEMO_TOTP_SECRET} to an authenticator app "
        f"(TOTP, 6 digits, 30 s), or run: oathtool --totp -b {DEMO_TOTP_SECRET}"
    )
    demo.objects["organizations"] = []
    for data in ORGANIZATIONS:
        data = dict(data)
        users = data.pop("users")
        org, _ = Organization.objects.get_or_create(name=data.pop("name"), defaults=data)
        demo.objects["organizations"].append(org)
        for email, name in users:
            if not User.objects.filter(email=email).exists():
                create_client_user(org, email, password=demo.password, full_name=name)
            demo.login(User.Role.CLIENT, email, org.name)
