"""django-payments providers as this project uses them (PAYMENT_VARIANTS in settings).

- ``TestProvider``: the library's dummy provider (development and tests only): a form where
  you choose the outcome. It also says how much it took: the payment's total, or the
  ``amount`` a callback gives (to try a provider reporting another amount).
- ``StripeProvider``: the library's Stripe Checkout provider, with what this project needs
  on top: events and sessions kept as plain dicts (the Stripe SDK's objects are no longer
  dicts), the amount Stripe actually charged as ``captured_amount`` (the library copies
  the order's total, which would hide a mismatch), signature errors as PaymentError, and a
  status check for the return page.
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import stripe
from django.http import JsonResponse
from payments import PaymentError, PaymentStatus, RedirectNeeded
from payments.dummy import DummyProvider
from payments.stripe import StripeProviderV3
from payments.stripe.providers import stripe_enabled_events

STATUSES = {value for value, _label in PaymentStatus.CHOICES}
# Stripe Checkout Session values (https://docs.stripe.com/api/checkout/sessions/object).
SESSION_EXPIRED = "expired"  # status
SESSION_PAID = "paid"  # payment_status
CENT = Decimal("0.01")


@dataclass(frozen=True)
class OffSessionResult:
    """A charge of a saved card without the client present (plans: renewals, automatic
    recharges). ``reference`` is the provider's payment id; ``amount`` what it took (euros,
    VAT included) when paid; ``message`` the provider's words when declined."""

    paid: bool
    reference: str
    amount: Decimal | None = None
    message: str = ""


class TestProvider(DummyProvider):
    """The dummy provider, with the amount it took recorded on the payment.

    Saved cards (off-session): ``save_payment_method(outcome)`` stores the outcome to
    simulate ("ok" pays, "declined" is refused like a card the bank declines), and
    ``charge_off_session`` answers for the same idempotency key with the same payment id,
    like Stripe does for a repeated key.
    """

    accepts_webhooks = False
    OUTCOMES = ("ok", "declined")

    def save_payment_method(self, *, outcome: str) -> tuple[str, str]:
        """(the method's reference, its label). Raises PaymentError for another outcome."""
        if outcome not in self.OUTCOMES:
            raise PaymentError("unknown outcome", code=400)
        label = "Test card 4242" if outcome == "ok" else "Test card 0002 (declined)"
        return f"test:{outcome}", label

    def charge_off_session(
        self, *, method_reference: str, amount: Decimal, description: str, idempotency_key: str
    ) -> OffSessionResult:
        if method_reference not in {f"test:{outcome}" for outcome in self.OUTCOMES}:
            raise PaymentError("unknown payment method", code=400)
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
        if method_reference == "test:declined":
            return OffSessionResult(False, f"test_pi_{digest}", message="Your card was declined.")
        return OffSessionResult(True, f"test_pi_{digest}", amount=Decimal(amount).quantize(CENT))

    def get_form(self, payment, data=None):
        try:
            return super().get_form(payment, data=data)
        except RedirectNeeded:
            if payment.status == PaymentStatus.CONFIRMED:
                payment.captured_amount = payment.total
                payment.save(update_fields=["captured_amount"])
            raise

    def process_data(self, payment, request):
        """The return from a simulated 3-D Secure step: ``?verification_result=<status>``,
        and optionally ``&amount=<euros>`` the provider says it took."""
        result = request.GET.get("verification_result")
        if result and result not in STATUSES:
            raise PaymentError("unknown verification result", code=400)
        amount = request.GET.get("amount")
        if amount is not None:
            try:
                amount = Decimal(amount).quantize(CENT)
            except (InvalidOperation, ValueError) as exc:
                raise PaymentError("invalid amount", code=400) from exc
        response = super().process_data(payment, request)
        if payment.status == PaymentStatus.CONFIRMED:
            payment.captured_amount = payment.total if amount is None else amount
            payment.save(update_fields=["captured_amount"])
        return response


def _plain(obj):
    """A Stripe SDK object as plain dicts and lists (JSON-serializable)."""
    return obj.to_dict() if hasattr(obj, "to_dict") else obj


class StripeOffSession:
    """Saved cards on Stripe: a SetupIntent saves the card for later, off-session
    PaymentIntents charge it (https://docs.stripe.com/payments/save-and-reuse). Mixed into
    StripeProvider; ``api_key`` comes from the provider."""

    def create_setup_intent(self, *, customer_id: str = "", email: str = "") -> dict:
        """A SetupIntent for Stripe.js (its ``client_secret``), creating the customer."""
        stripe.api_key = self.api_key
        try:
            if not customer_id:
                customer_id = stripe.Customer.create(email=email or None)["id"]
            intent = stripe.SetupIntent.create(customer=customer_id, usage="off_session")
        except stripe.StripeError as exc:
            raise PaymentError(str(exc)) from exc
        return _plain(intent)

    def create_setup_session(
        self,
        *,
        customer_id: str = "",
        email: str = "",
        success_url: str,
        cancel_url: str,
        reference: str,
        metadata: dict,
    ) -> dict:
        """A Checkout Session in setup mode (Stripe's hosted page saves a card for later,
        no Stripe.js on our pages), creating the customer when there is none yet. Its
        ``url`` is where the client goes; ``reference`` comes back as client_reference_id
        and ``metadata`` on the session and its SetupIntent."""
        stripe.api_key = self.api_key
        try:
            if not customer_id:
                customer_id = stripe.Customer.create(email=email or None, metadata=metadata)["id"]
            session = stripe.checkout.Session.create(
                mode="setup",
                customer=customer_id,
                payment_method_types=["card"],
                success_url=success_url,
                cancel_url=cancel_url,
                client_reference_id=reference,
                metadata=metadata,
                setup_intent_data={"metadata": metadata},
            )
        except stripe.StripeError as exc:
            raise PaymentError(str(exc)) from exc
        return _plain(session)

    def setup_session(self, session_id: str) -> dict:
        """The Checkout Session with its SetupIntent and payment method expanded."""
        stripe.api_key = self.api_key
        try:
            return _plain(
                stripe.checkout.Session.retrieve(
                    session_id, expand=["setup_intent", "setup_intent.payment_method"]
                )
            )
        except stripe.InvalidRequestError as exc:  # no such session (forged or foreign)
            raise PaymentError("unknown session", code=404) from exc
        except stripe.StripeError as exc:
            raise PaymentError(str(exc)) from exc

    def expire_setup_session(self, session_id: str) -> None:
        """Close an abandoned session so that it can no longer save a card."""
        stripe.api_key = self.api_key
        try:
            stripe.checkout.Session.expire(session_id)
        except stripe.StripeError as exc:
            raise PaymentError(str(exc)) from exc

    def payment_method_from_setup(self, setup_intent_id: str) -> tuple[str, str]:
        """(reference "cus_...|pm_...", label) of a succeeded SetupIntent."""
        stripe.api_key = self.api_key
        try:
            intent = _plain(stripe.SetupIntent.retrieve(setup_intent_id, expand=["payment_method"]))
        except stripe.StripeError as exc:
            raise PaymentError(str(exc)) from exc
        if intent.get("status") != "succeeded":
            raise PaymentError("the card was not saved", code=400)
        method = intent.get("payment_method") or {}
        card = method.get("card") or {}
        label = f"{card.get('brand', 'card')} {card.get('last4', '')}".strip()
        return f"{intent['customer']}|{method['id']}", label

    def charge_off_session(
        self, *, method_reference: str, amount: Decimal, description: str, idempotency_key: str
    ) -> OffSessionResult:
        customer, _sep, method = method_reference.partition("|")
        stripe.api_key = self.api_key
        try:
            intent = _plain(
                stripe.PaymentIntent.create(
                    amount=int((Decimal(amount) * 100).to_integral_value()),
                    currency="eur",
                    customer=customer,
                    payment_method=method,
                    off_session=True,
                    confirm=True,
                    description=description[:200],
                    idempotency_key=idempotency_key,
                )
            )
        except stripe.CardError as exc:
            intent = _plain(getattr(exc.error, "payment_intent", None) or {})
            return OffSessionResult(
                False, str(intent.get("id", "")), message=str(exc.user_message or "")[:200]
            )
        except stripe.StripeError as exc:
            raise PaymentError(str(exc)) from exc
        if intent.get("status") != "succeeded":
            return OffSessionResult(
                False, str(intent.get("id", "")), message=intent.get("status", "")
            )
        received = (Decimal(int(intent["amount_received"])) / 100).quantize(CENT)
        return OffSessionResult(True, str(intent["id"]), amount=received)


class StripeProvider(StripeOffSession, StripeProviderV3):
    """Stripe Checkout: the client pays on Stripe's page; Stripe calls our webhook."""

    accepts_webhooks = True

    def create_session(self, payment):
        return _plain(super().create_session(payment))

    def return_event_payload(self, request) -> dict:
        """The verified event (signature checked with the endpoint secret). Raises
        PaymentError(code=400) for a bad signature or body."""
        try:
            return _plain(super().return_event_payload(request))
        except PaymentError:
            raise
        except (ValueError, stripe.SignatureVerificationError) as exc:
            raise PaymentError("invalid Stripe event", code=400) from exc

    def card_setup_event(self, request) -> dict | None:
        """The verified event when it is about saving a card (a Checkout Session in setup
        mode, a SetupIntent), else None (an order's payment). Raises PaymentError(400)."""
        event = self.return_event_payload(request)
        kind = str(event.get("type") or "")
        obj = (event.get("data") or {}).get("object")
        if kind.startswith("setup_intent."):
            return event
        if kind.startswith("checkout.session.") and isinstance(obj, dict):
            return event if obj.get("mode") == "setup" else None
        return None

    def process_data(self, payment, request):
        event = self.return_event_payload(request)
        if event.get("type") in stripe_enabled_events:
            session = (event.get("data") or {}).get("object")
            if not isinstance(session, dict):
                raise PaymentError("session not present", code=400)
            if session.get("status") == SESSION_EXPIRED:
                if payment.status != PaymentStatus.CANCELLED:
                    payment.change_status(PaymentStatus.REJECTED)
            elif session.get("payment_status") == SESSION_PAID:
                self._paid(payment, session)
            payment.attrs.session = session
            payment.save()
        return JsonResponse({"status": "OK"})

    def status(self, payment):
        """Ask Stripe whether a session still waiting was paid (the return page)."""
        if payment.status in (PaymentStatus.WAITING, PaymentStatus.INPUT) and (
            payment.transaction_id
        ):
            stripe.api_key = self.api_key
            try:
                session = _plain(stripe.checkout.Session.retrieve(payment.transaction_id))
            except stripe.StripeError as exc:
                raise PaymentError(str(exc)) from exc
            if session.get("payment_status") == SESSION_PAID:
                self._paid(payment, session)
                payment.attrs.session = session
                payment.save()
        return payment

    def _paid(self, payment, session: dict) -> None:
        """Record what Stripe charged (minor units → euros) and confirm the payment."""
        try:
            charged = (Decimal(int(session["amount_total"])) / 100).quantize(CENT)
        except (KeyError, TypeError, ValueError) as exc:
            raise PaymentError("paid session without amount_total", code=400) from exc
        payment.captured_amount = charged
        payment.currency = str(session.get("currency") or payment.currency).upper()
        payment.transaction_id = payment.transaction_id or str(session.get("id", ""))
        payment.change_status(PaymentStatus.CONFIRMED)
