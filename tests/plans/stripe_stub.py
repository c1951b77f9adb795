"""A local stand-in for Stripe's API on 127.0.0.1, enough for off-session charges: the real
stripe SDK sends its requests here (``stripe.api_base``). It answers a repeated
Idempotency-Key with the first answer, like Stripe, and declines the payment method
"pm_card_chargeDeclined" with a card_error (HTTP 402)."""

import http.server
import json
import threading
from urllib.parse import parse_qs


class StripeStub:
    def __init__(self):
        self.requests: list[dict] = []
        self.answers: dict[str, tuple[int, dict]] = {}
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                key = self.headers.get("Idempotency-Key", "")
                stub.requests.append({"path": self.path, "form": form, "key": key})
                if key not in stub.answers:
                    stub.answers[key] = stub.answer(self.path, form, len(stub.answers))
                status, body = stub.answers[key]
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

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
