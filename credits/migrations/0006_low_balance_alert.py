"""The low-balance warning's state per wallet; wallets that exist already are armed when
their available credits (ledger balance minus held) are at or above their threshold."""

import django.db.models.deletion
from django.db import migrations, models


def arm_existing_wallets(apps, schema_editor):
    Wallet = apps.get_model("credits", "Wallet")
    LowBalanceAlert = apps.get_model("credits", "LowBalanceAlert")
    LowBalanceAlert.objects.bulk_create(
        LowBalanceAlert(
            wallet_id=wallet.pk,
            armed=wallet.balance - wallet.held >= wallet.organization.low_balance_threshold,
        )
        for wallet in Wallet.objects.select_related("organization").iterator()
    )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('credits', '0005_credit_settings_row'),
    ]

    operations = [
        migrations.CreateModel(
            name='LowBalanceAlert',
            fields=[
                ('wallet', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='low_balance_alert', serialize=False, to='credits.wallet', verbose_name='wallet')),
                ('armed', models.BooleanField(default=False, verbose_name='armed')),
                ('warned_at', models.DateTimeField(blank=True, null=True, verbose_name='last warned')),
                ('warned_for', models.CharField(blank=True, max_length=40, verbose_name='warned for')),
            ],
            options={
                'verbose_name': 'low-balance alert',
                'verbose_name_plural': 'low-balance alerts',
            },
        ),
        migrations.RunPython(arm_existing_wallets, migrations.RunPython.noop),
    ]
