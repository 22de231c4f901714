"""Receipts may name the order they pay; confirmed receipts can be reversed on a date (allocations of
the opposite sign); a statement whose e-mail failed says so."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_periodic_run'),
        ('credit', '0004_input_bounds'),
        ('crm', '0004_customer_list_indexes'),
        ('sales', '0004_order_waits_for_payment'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='allocation',
            name='credit_allocation_positive',
        ),
        migrations.AddField(
            model_name='receipt',
            name='order',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='receipts', to='sales.salesorder', verbose_name='for order'),
        ),
        migrations.AddField(
            model_name='receipt',
            name='reversed_on',
            field=models.DateField(blank=True, null=True, verbose_name='reversed on'),
        ),
        migrations.AddField(
            model_name='statement',
            name='send_error',
            field=models.CharField(blank=True, max_length=500, verbose_name='why sending failed'),
        ),
        migrations.AlterField(
            model_name='receipt',
            name='status',
            field=models.CharField(choices=[('handed_over', 'Handed to the cashier'), ('confirmed', 'Confirmed by finance'), ('cancelled', 'Cancelled'), ('reversed', 'Reversed')], default='handed_over', max_length=20, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='statement',
            name='status',
            field=models.CharField(choices=[('issued', 'Issued'), ('sent', 'Sent'), ('send_failed', 'Sending failed'), ('confirmed', 'Confirmed by the customer'), ('disputed', 'Disputed')], default='issued', max_length=20, verbose_name='status'),
        ),
        migrations.AddConstraint(
            model_name='allocation',
            constraint=models.CheckConstraint(condition=models.Q(('amount', 0), _negated=True), name='credit_allocation_not_zero'),
        ),
        migrations.AddConstraint(
            model_name='receipt',
            constraint=models.CheckConstraint(condition=models.Q(('reversed_on__isnull', True), ('reversed_on__gte', models.F('received_on')), _connector='OR'), name='credit_receipt_reversed_after_received'),
        ),
    ]
