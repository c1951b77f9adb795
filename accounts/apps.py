from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from axes.signals import user_locked_out
        from django.contrib.auth import signals

        from accounts import signals as audit

        signals.user_logged_in.connect(audit.logged_in, dispatch_uid="accounts_audit_in")
        signals.user_logged_out.connect(audit.logged_out, dispatch_uid="accounts_audit_out")
        signals.user_login_failed.connect(audit.login_failed, dispatch_uid="accounts_audit_fail")
        user_locked_out.connect(audit.locked_out, dispatch_uid="accounts_audit_locked")
