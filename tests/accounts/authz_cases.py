from tests.authz import Access, Case

CASES = {
    "home": Case(Access.PUBLIC),
    "dashboard": Case(Access.OWN),
    "accounts:login": Case(Access.PUBLIC),
    "accounts:logout": Case(Access.PUBLIC),
    "accounts:set_language": Case(Access.PUBLIC),
    "accounts:profile": Case(Access.OWN),
    "accounts:organization": Case(Access.OWN),
    "accounts:password_change": Case(Access.OWN),
    "accounts:password_change_done": Case(Access.OWN),
    "accounts:password_reset": Case(Access.PUBLIC),
    "accounts:password_reset_done": Case(Access.PUBLIC),
    "accounts:password_reset_confirm": Case(
        Access.PUBLIC, kwargs=lambda victim: {"uidb64": "MQ", "token": "set-password"}
    ),
    "accounts:password_reset_complete": Case(Access.PUBLIC),
    "accounts:mfa_setup": Case(Access.OWN),
    "accounts:mfa_verify": Case(Access.OWN),
    "accounts:mfa_disable": Case(Access.OWN),
    "accounts:reauthenticate": Case(Access.OWN),
    "accounts:logout_other_sessions": Case(Access.OWN),
}
