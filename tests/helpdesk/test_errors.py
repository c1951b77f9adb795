"""Every app's named errors share helpdesk.errors.HelpdeskError (issue 11), and the modules
that defined them before still export them."""

import pytest

from accounts.errors import AccountError, PasskeyError, Refused
from api.errors import ApiKeyError
from billing.errors import BillingError, VerifactuError
from credits.errors import CreditsError, InsufficientCredits
from helpdesk.errors import BackupError, HelpdeskError, snake_case
from kb.errors import KbError
from mailchannel.errors import DnsUnavailable, MailboxError
from notifications.errors import PermanentFailure, UnknownKind, WebhookError
from plans.errors import PlansError
from reports.errors import ReportError


@pytest.mark.parametrize(
    "error",
    [
        AccountError,
        PasskeyError,
        Refused,
        ApiKeyError,
        BillingError,
        VerifactuError,
        CreditsError,
        BackupError,
        KbError,
        DnsUnavailable,
        MailboxError,
        PermanentFailure,
        UnknownKind,
        WebhookError,
        ReportError,
        PlansError,
    ],
)
def test_every_apps_errors_share_the_base(error):
    assert issubclass(error, HelpdeskError)
    assert error("Why.").message == "Why."
    assert str(error("Why.")) == "Why."


def test_an_error_without_a_message_says_its_default_one():
    assert CreditsError().message == CreditsError.default_message
    assert str(BillingError()) == str(BillingError.default_message)


def test_the_code_is_the_class_name_in_snake_case():
    assert InsufficientCredits(requested=5, available=2).code == "insufficient_credits"
    assert snake_case("ApiKeyError") == "api_key_error"


def test_the_old_import_paths_still_work():
    from accounts.passkey_views import Refused as old_refused
    from accounts.passkeys import PasskeyError as old_passkey_error
    from accounts.services import AccountError as old_account_error
    from api.services import ApiKeyError as old_api_key_error
    from billing.services import BillingError as old_billing_error
    from billing.verifactu.errors import VerifactuError as old_verifactu_error
    from credits.services import InsufficientCredits as old_insufficient
    from helpdesk.backups import BackupError as old_backup_error
    from mailchannel.dmarc import DnsUnavailable as old_dns
    from mailchannel.services import MailboxError as old_mailbox_error
    from notifications.delivery import PermanentFailure as old_permanent
    from notifications.kinds import UnknownKind as old_unknown_kind
    from notifications.webhooks import WebhookError as old_webhook_error

    assert (old_refused, old_passkey_error, old_account_error) == (
        Refused,
        PasskeyError,
        AccountError,
    )
    assert (old_api_key_error, old_billing_error, old_verifactu_error) == (
        ApiKeyError,
        BillingError,
        VerifactuError,
    )
    assert (old_insufficient, old_backup_error, old_dns, old_mailbox_error) == (
        InsufficientCredits,
        BackupError,
        DnsUnavailable,
        MailboxError,
    )
    assert (old_permanent, old_unknown_kind, old_webhook_error) == (
        PermanentFailure,
        UnknownKind,
        WebhookError,
    )
