"""The browser pages of the API (keys, webhooks) for the authorization walk."""

from api.services import create_key
from notifications.models import WebhookDelivery, WebhookEndpoint
from notifications.webhooks import new_secret
from tests.authz import Access, Case, Victim


def build_victim(victim: Victim) -> None:
    """The victim's key and webhook endpoint with a delivery."""
    victim.objects["api_key"] = create_key(victim.user, name=f"{Victim.MARKER} clave").key
    endpoint = WebhookEndpoint.objects.create(
        organization=victim.organization,
        created_by=victim.user,
        url="https://hooks.example.com/victima",
        description=f"{Victim.MARKER} webhook",
        events=["ticket.created"],
        secret=new_secret(),
    )
    victim.objects["endpoint"] = endpoint
    victim.objects["delivery"] = WebhookDelivery.objects.create(
        endpoint=endpoint,
        message_id="msg_victima",
        event="ticket.created",
        payload={"data": Victim.MARKER},
        dedupe_key="victima",
        status="delivered",
    )


def _pk(name):
    return lambda victim: {"pk": victim.objects[name].pk}


CASES = {
    "integrations:keys": Case(Access.OWN),
    "integrations:key_revoke": Case(Access.OBJECT, _pk("api_key")),
    "integrations:endpoints": Case(Access.OWN, manager_only=True),
    "integrations:endpoint": Case(Access.OBJECT, _pk("endpoint"), manager_only=True),
    "integrations:endpoint_resume": Case(Access.OBJECT, _pk("endpoint"), manager_only=True),
    "integrations:delivery_resend": Case(Access.OBJECT, _pk("delivery"), manager_only=True),
}
