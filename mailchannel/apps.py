from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailchannelConfig(AppConfig):
    name = "mailchannel"
    verbose_name = _("Email channel")

    def ready(self):
        from anymail.signals import inbound

        from mailchannel.webhooks import receive_inbound

        inbound.connect(receive_inbound, dispatch_uid="mailchannel.receive_inbound")
