"""A local stand-in for Stripe's API on 127.0.0.1, enough for off-session charges: the real
stripe SDK sends its requests here (``stripe.api_base``). It answers a repeated
Idempotency-Key with the first answer, like Stripe, and declines the payment method
"pm_card_chargeDeclined" with a card_error (HTTP 402).

Saving a card on Stripe's hosted page (Checkout in setup mode): it creates customers and
setup sessions, answers a session's retrieval (its SetupIntent and payment method
expanded) and its expiry; ``complete(session_id)`` plays the client saving a card on
Stripe's page. An unknown session is Stripe's 404 (resource_missing)."""

import http.server
import json
import threading
from urllib.parse import parse_qs


class StripeStub:
    def __init__(self):
        self.requests: list[dict] = []
        self.answers: dict[str, tuple[int, dict]] = {}
        self.sessions: dict[str, dict] = {}
        self.customers: list[str] = []
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                key = self.headers.get("Idempotency-Key", "")
                stub.requests.append({"path": self.path, "form": form, "key": key})
                if not self.path.startswith("/v1/payment_intents"):
                    self.reply(*stub.answer_setup("POST", self.path, form))
                    return
                if key not in stub.answers:
                    stub.answers[key] = stub.answer(self.path, form, len(stub.answers))
                self.reply(*stub.answers[key])

            def do_GET(self):
                stub.requests.append({"path": self.path, "form": {}, "key": ""})
                self.reply(*stub.answer_setup("GET", self.path, {}))

            def reply(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, path: str, form: dict, count: int) -> tuple[int, dict]:
        if path != "/v1/payment_intents":
            return 404, {"error": {"type": "invalid_request_error", "message": "not stubbed"}}
        intent = {
            "id": f"pi_stub_{count + 1}",
            "object": "payment_intent",
            "amount": int(form["amount"]),
            "currency": form["currency"],
            "customer": form["customer"],
            "payment_method": form["payment_method"],
        }
        if form["payment_method"] == "pm_card_chargeDeclined":
            intent["status"] = "requires_payment_method"
            error = {
                "type": "card_error",
                "code": "card_declined",
                "message": "Your card was declined.",
                "payment_intent": intent,
            }
            return 402, {"error": error}
        intent.update(status="succeeded", amount_received=int(form["amount"]))
        return 200, intent

    def answer_setup(self, method: str, path: str, form: dict) -> tuple[int, dict]:
        path = path.split("?", 1)[0]
        missing = 404, {"error": {"type": "invalid_request_error", "code": "resource_missing"}}
        if method == "POST" and path == "/v1/customers":
            self.customers.append(f"cus_stub_{len(self.customers) + 1}")
            return 200, {"id": self.customers[-1], "object": "customer"}
        if method == "POST" and path == "/v1/checkout/sessions":
            number = len(self.sessions) + 1
            session = {
                "id": f"cs_stub_{number}",
                "object": "checkout.session",
                "mode": form["mode"],
                "customer": form["customer"],
                "client_reference_id": form.get("client_reference_id"),
                "metadata": {
                    k[len("metadata[") : -1]: v
                    for k, v in form.items()
                    if k.startswith("metadata[")
                },
                "success_url": form["success_url"],
                "cancel_url": form["cancel_url"],
                "status": "open",
                "url": f"https://checkout.stripe.test/c/pay/cs_stub_{number}",
                "setup_intent": {
                    "id": f"seti_stub_{number}",
                    "object": "setup_intent",
                    "customer": form["customer"],
                    "status": "requires_payment_method",
                    "payment_method": None,
                },
            }
            self.sessions[session["id"]] = session
            return 200, self._shown(session)
        parts = path.strip("/").split("/")  # v1 checkout sessions <id> [expire]
        if parts[:3] != ["v1", "checkout", "sessions"] or len(parts) < 4:
            return 404, {"error": {"type": "invalid_request_error", "message": "not stubbed"}}
        session = self.sessions.get(parts[3])
        if session is None:
            return missing
        if method == "POST" and parts[4:] == ["expire"]:
            if session["status"] != "open":
                error = {"type": "invalid_request_error", "message": "session is not open"}
                return 400, {"error": error}
            session["status"] = "expired"
            return 200, self._shown(session)
        if method == "GET" and len(parts) == 4:
            return 200, session
        return missing

    @staticmethod
    def _shown(session: dict) -> dict:
        """A session as Stripe answers without ``expand``: its SetupIntent as an id."""
        return {**session, "setup_intent": session["setup_intent"]["id"]}

    def complete(self, session_id: str, *, payment_method: str = "pm_card_visa", **card):
        """The client saves a card on Stripe's page."""
        session = self.sessions[session_id]
        session["status"] = "complete"
        intent = session["setup_intent"]
        intent["status"] = "succeeded"
        intent["payment_method"] = {
            "id": payment_method,
            "object": "payment_method",
            "type": "card",
            "card": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030, **card},
        }
        return session

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
