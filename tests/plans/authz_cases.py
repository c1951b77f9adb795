from plans import services
from tests.authz import Access, Case, Victim
from tests.billing.factories import pack
from tests.plans.factories import card, plan

CASES = {
    # The client's own organization (no id in the URL): an outsider's POST acts on their own
    # organization only.
    "plans:overview": Case(Access.OWN, manager_only=True),
    "plans:subscribe": Case(Access.OWN, manager_only=True),
    "plans:change": Case(Access.OWN, manager_only=True),
    "plans:cancel": Case(Access.OWN, manager_only=True),
    "plans:keep": Case(Access.OWN, manager_only=True),
    "plans:retry": Case(Access.OWN, manager_only=True),
    "plans:card_save": Case(Access.OWN, manager_only=True),
    "plans:card_setup": Case(Access.OWN, manager_only=True),
    "plans:card_setup_done": Case(Access.OWN, manager_only=True),
    "plans:card_setup_cancelled": Case(Access.OWN, manager_only=True),
    "plans:card_remove": Case(Access.OWN, manager_only=True),
    "plans:auto_recharge": Case(Access.OWN, manager_only=True),
}


def build_victim(victim: Victim) -> None:
    """A saved card, a subscription with its first period paid, an automatic recharge."""
    org = victim.organization
    card(org)
    victim.objects["period"] = services.subscribe(org, plan(100, name="Plan de prueba"))
    victim.objects["auto_recharge"] = services.configure_auto_recharge(
        org, enabled=True, threshold=10, pack=pack(60), monthly_cap=1
    )
