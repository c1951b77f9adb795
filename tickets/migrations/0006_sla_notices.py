"""SLA notices (one per ticket and kind) and the index the SLA sweep reads."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('tickets', '0005_default_charging_policy'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SlaNotice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('warning', 'SLA warning'), ('breach', 'SLA breach')], max_length=10, verbose_name='kind')),
                ('judged_on', models.DateTimeField(verbose_name='reached at')),
                ('emails', models.PositiveSmallIntegerField(default=0, verbose_name='emails')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='sent')),
            ],
            options={
                'verbose_name': 'SLA notice',
                'verbose_name_plural': 'SLA notices',
                'ordering': ['created_at', 'pk'],
            },
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(condition=models.Q(('status__in', ('new', 'open', 'in_progress'))), fields=['sla_warning_at', 'id'], name='ticket_running_warning'),
        ),
        migrations.AddField(
            model_name='slanotice',
            name='ticket',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sla_notices', to='tickets.ticket', verbose_name='ticket'),
        ),
        migrations.AddConstraint(
            model_name='slanotice',
            constraint=models.UniqueConstraint(fields=('ticket', 'kind'), name='sla_notice_once_per_kind'),
        ),
    ]
