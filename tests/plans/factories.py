"""Plans test helpers: data goes through the services, as in production."""

from decimal import Decimal

from plans import services
from plans.models import Plan


def plan(credits: int = 300, price: str = "250.00", rollover=Plan.Rollover.ONE, **kwargs) -> Plan:
    return Plan.objects.create(
        name=kwargs.pop("name", f"Plan {credits}"),
        credits=credits,
        price=Decimal(price),
        rollover=rollover,
        **kwargs,
    )


def card(organization, outcome: str = "ok"):
    return services.save_test_card(organization, outcome=outcome, user=None)
