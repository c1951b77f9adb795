from tests.authz import Access, Case

CASES = {
    "home": Case(Access.PUBLIC),
    "dashboard": Case(Access.OWN),
    "accounts:login": Case(Access.PUBLIC),
    "accounts:logout": Case(Access.PUBLIC),
    "accounts:set_language": Case(Access.PUBLIC),
    "accounts:profile": Case(Access.OWN),
    "accounts:organization": Case(Access.OWN, manager_only=True),
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
    # Passkeys: the victim's own passkey, renamed or removed by someone else → 404.
    "accounts:passkey_rename": Case(
        Access.OBJECT, kwargs=lambda victim: {"pk": victim.objects["passkey"].pk}
    ),
    "accounts:passkey_remove": Case(
        Access.OBJECT, kwargs=lambda victim: {"pk": victim.objects["passkey"].pk}
    ),
    # The ceremonies (JSON, POST): each acts on the requester's own account only.
    "otp_webauthn:credential-registration-begin": Case(Access.OWN),
    "otp_webauthn:credential-registration-complete": Case(Access.OWN),
    "otp_webauthn:credential-authentication-begin": Case(Access.OWN),
    "otp_webauthn:credential-authentication-complete": Case(Access.OWN),
    "otp_webauthn:js-i18n-catalog": Case(Access.PUBLIC, post=False),
    # Teams (issue 19): the manager's own organization; a member of it gets 404.
    "accounts:people": Case(Access.OWN, manager_only=True),
    "accounts:person_role": Case(
        Access.OBJECT,
        kwargs=lambda victim: {"pk": victim.objects["teammate"].pk},
        manager_only=True,
    ),
    "accounts:person_remove": Case(
        Access.OBJECT,
        kwargs=lambda victim: {"pk": victim.objects["teammate"].pk},
        manager_only=True,
    ),
    "accounts:invitation_withdraw": Case(
        Access.OBJECT,
        kwargs=lambda victim: {"pk": victim.objects["invitation"].pk},
        manager_only=True,
    ),
    "accounts:team_settings": Case(Access.OWN, manager_only=True),
    # The signed link of the manager's approval email: the victim manager's only.
    "accounts:approval_decide": Case(
        Access.OBJECT,
        kwargs=lambda victim: {"token": victim.objects["approval_link"]},
        manager_only=True,
    ),
    # The emailed link: public; a wrong token is a 404 page and changes nothing.
    "accounts:invitation_accept": Case(
        Access.PUBLIC, kwargs=lambda victim: {"token": "not-a-real-token"}
    ),
}


def build_victim(victim):
    from tests.accounts.passkeys import give_passkey

    victim.objects["passkey"] = give_passkey(victim.user, name=f"{victim.MARKER} llave")
    from accounts.invitations import invite
    from tests.accounts.factories import MemberFactory

    victim.objects["teammate"] = MemberFactory(
        organization=victim.organization, full_name=f"{victim.MARKER} Compañera"
    )
    victim.objects["invitation"], _token = invite(
        victim.organization, "invitada@victima.example", by=victim.user
    )
    from accounts.approvals import decision_token, request_approval
    from accounts.models import Approval

    approval = request_approval(
        victim.organization,
        requested_by=victim.objects["teammate"],
        kind=Approval.Kind.ESTIMATE,
        what=f"{victim.MARKER} presupuesto grande",
        credits=240,
        reference="tickets.estimate:1",
    )
    victim.objects["approval_link"] = decision_token(approval, victim.user, "approve")
