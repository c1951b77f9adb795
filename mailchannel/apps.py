from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailchannelConfig(AppConfig):
    name = "mailchannel"
    verbose_name = _("Email channel")
