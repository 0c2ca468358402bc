"""The audit trail becomes a hash chain (provisioning/audit/chain.py): every entry gets its place
(seq), the hash of the entry before it and its own; entries written before the chain existed are
chained here, oldest first. Also: a reason column, the unit an entry is about (who may read it), no
SET_NULL from users (it would rewrite history), and on PostgreSQL a trigger refusing UPDATE and DELETE."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from provisioning.audit import chain

BATCH = 2000


def chain_existing(apps, schema_editor):
    AuditEntry = apps.get_model("provisioning", "AuditEntry")
    AuditChainHead = apps.get_model("provisioning", "AuditChainHead")
    Person = apps.get_model("provisioning", "Person")
    seq, prev = 0, chain.GENESIS
    # ids only in memory (8 bytes each), the rows a batch at a time
    ids = list(AuditEntry.objects.order_by("at", "id").values_list("id", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = AuditEntry.objects.in_bulk(ids[start:start + BATCH])
        rows = [batch[i] for i in ids[start:start + BATCH]]
        # the unit each older entry is about, so HR officers see the history of their own units
        people = dict(Person.objects.filter(pk__in=[int(r.target_id) for r in rows if r.target_type == "person"
                                                    and r.target_id.isdigit()]).values_list("pk", "unit_id"))
        for row in rows:
            if row.target_type == "person" and row.target_id.isdigit():
                row.unit_id = people.get(int(row.target_id))
            elif row.target_type == "unit" and row.target_id.isdigit():
                row.unit_id = int(row.target_id)
            seq += 1
            row.seq, row.prev_hash = seq, prev
            row.hash = prev = chain.digest(prev, chain.fields_of(row))
        AuditEntry.objects.bulk_update(rows, ["unit", "seq", "prev_hash", "hash"])
    AuditChainHead.objects.update_or_create(pk=1, defaults={"seq": seq, "hash": prev})


TRIGGER = """
CREATE OR REPLACE FUNCTION idm_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('idm.audit_expiring', true) = 'on' THEN
        RETURN OLD;  -- the retention task (provisioning.audit.services.audit_expire)
    END IF;
    RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER provisioning_auditentry_append_only BEFORE UPDATE OR DELETE ON provisioning_auditentry
    FOR EACH ROW EXECUTE FUNCTION idm_audit_append_only();
"""
NO_TRIGGER = """
DROP TRIGGER IF EXISTS provisioning_auditentry_append_only ON provisioning_auditentry;
DROP FUNCTION IF EXISTS idm_audit_append_only();
"""


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NO_TRIGGER, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('provisioning', '0026_directory_change_bulk'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditChainHead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.BigIntegerField(default=0)),
                ('hash', models.CharField(max_length=64)),
            ],
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='actor',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True,
                                    on_delete=django.db.models.deletion.DO_NOTHING, related_name='+',
                                    to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='unit',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True,
                                    on_delete=django.db.models.deletion.DO_NOTHING, related_name='+',
                                    to='provisioning.unit'),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='reason',
            field=models.TextField(blank=True, default=''),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='auditentry',
            name='seq',
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='prev_hash',
            field=models.CharField(default='', max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='auditentry',
            name='hash',
            field=models.CharField(default='', max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='auditentry',
            name='seq',
            field=models.BigIntegerField(unique=True),
        ),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
