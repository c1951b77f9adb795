"""Demo orders and invoices (called by ``manage.py seed_demo`` after credits), written
through the services; a second run finds them and changes nothing.

- Talleres Norte: a 120-credit recharge paid online and a 60-credit one paid by bank
  transfer (marked paid by the admin): two invoices.
- Brightwave Studio: a 60-credit recharge paid online, then refunded (a corrective invoice;
  its balance is back to 15 credits, below its threshold, as the credits demo expects).
- Panadería La Espiga: a 240-credit order waiting for its bank transfer.
"""

from accounts.models import User
from billing.models import Order
from billing.services import choose_bank_transfer, confirm_payment, create_order, refund_order
from credits.models import Pack

# (organization, credits, how, reference): paid online or by bank transfer, refunded (paid
# online, then refunded), or pending (waits for a bank transfer).
ORDERS = (
    ("Talleres Norte S.A.", 120, Order.Method.ONLINE, "demo:online:norte-1"),
    ("Talleres Norte S.A.", 60, Order.Method.BANK_TRANSFER, "demo:transfer:norte-2"),
    ("Brightwave Studio Ltd", 60, Order.Status.REFUNDED, "demo:online:brightwave-1"),
    ("Panadería La Espiga S.L.", 240, Order.Status.PENDING, ""),
)


def seed(demo) -> None:
    organizations = {org.name: org for org in demo.objects.get("organizations", [])}
    admin = User.objects.filter(role=User.Role.ADMIN, is_active=True).order_by("pk").first()
    for name, credits, how, reference in ORDERS:
        organization = organizations.get(name)
        pack = Pack.objects.filter(credits=credits, active=True).first()
        if organization is None or pack is None:
            continue
        if how == Order.Status.PENDING:
            if not organization.orders.filter(status=Order.Status.PENDING).exists():
                choose_bank_transfer(create_order(organization, pack), user=None)
            continue
        if organization.orders.filter(provider_reference=reference).exists():
            continue
        user = organization.users.order_by("pk").first()
        order = create_order(organization, pack, user=user)
        if how == Order.Method.BANK_TRANSFER:
            confirm_payment(
                order,
                provider_reference=reference,
                method=Order.Method.BANK_TRANSFER,
                actor=admin,
            )
        else:
            confirm_payment(order, provider_reference=reference, method=Order.Method.ONLINE)
        if how == Order.Status.REFUNDED and admin is not None:
            refund_order(order, reason="Compra duplicada por error del cliente", actor=admin)
