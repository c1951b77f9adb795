from tests.authz import Access, Case

CASES = {
    # A provider's webhook: no session; anymail checks basic auth and the signature.
    "mailchannel:inbound": Case(Access.PUBLIC, kwargs=lambda victim: {"provider": "mailgun"}),
}
