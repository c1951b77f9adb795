from billing.models import Payment
from billing.services import start_payment
from tests.authz import Access, Case, Victim
from tests.billing.factories import order, paid_order


def _pk(name):
    return lambda victim: {"pk": victim.objects[name].pk}


CASES = {
    # The client's own organization (no id in the URL).
    "billing:buy": Case(Access.OWN, manager_only=True),
    "billing:order_list": Case(Access.OWN, manager_only=True),
    "billing:invoice_list": Case(Access.OWN, manager_only=True),
    # The victim's objects: 404 for anyone else.
    "billing:order_detail": Case(Access.OBJECT, kwargs=_pk("paid_order"), manager_only=True),
    "billing:order_pay": Case(Access.OBJECT, kwargs=_pk("pending_order"), manager_only=True),
    "billing:order_cancel": Case(Access.OBJECT, kwargs=_pk("pending_order"), manager_only=True),
    "billing:payment_page": Case(Access.OBJECT, kwargs=_pk("payment"), manager_only=True),
    "billing:payment_success": Case(Access.OBJECT, kwargs=_pk("payment"), manager_only=True),
    "billing:payment_failure": Case(Access.OBJECT, kwargs=_pk("payment"), manager_only=True),
    "billing:invoice_detail": Case(Access.OBJECT, kwargs=_pk("invoice"), manager_only=True),
    "billing:invoice_pdf": Case(Access.OBJECT, kwargs=_pk("invoice"), manager_only=True),
    # Payment providers call these: public, but they reveal nothing and change nothing
    # without the provider's valid data.
    "billing:payment_callback": Case(
        Access.PUBLIC, kwargs=lambda victim: {"token": victim.objects["payment"].token}
    ),
    "billing:provider_webhook": Case(Access.PUBLIC, kwargs=lambda victim: {"variant": "dummy"}),
}


def build_victim(victim: Victim) -> None:
    """A paid order with its invoice, a pending order with an online payment started."""
    org = victim.organization
    paid = paid_order(org, 60, reference=f"{Victim.MARKER}-transfer")
    victim.objects["paid_order"] = paid
    victim.objects["invoice"] = paid.invoices.get()
    pending = order(org, 120)
    victim.objects["pending_order"] = pending
    victim.objects["payment"] = start_payment(pending, variant="dummy", user=victim.user)
    assert isinstance(victim.objects["payment"], Payment)
