from django.db import migrations, models

from provisioning.common.collation import name_key

BATCH = 2000


def recompute(apps, schema_editor):
    """Every person's Vietnamese sort key, a batch at a time (keyed by pk, so memory stays flat)."""
    Person = apps.get_model("provisioning", "Person")
    fields = ("family_name", "middle_name", "given_name")
    last = 0
    while True:
        people = list(Person.objects.filter(pk__gt=last).order_by("pk").only(*fields)[:BATCH])
        if not people:
            return
        for p in people:
            p.sort_key = name_key(p.family_name, p.middle_name, p.given_name)[:600]
        Person.objects.bulk_update(people, ["sort_key"], batch_size=500)
        last = people[-1].pk


class Migration(migrations.Migration):

    dependencies = [
        ('provisioning', '0010_person_word_search'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='person',
            options={'ordering': ['sort_key', 'uid'], 'verbose_name': 'person', 'verbose_name_plural': 'people'},
        ),
        migrations.RemoveIndex(
            model_name='person',
            name='provisionin_status_015fbb_idx',
        ),
        migrations.RemoveIndex(
            model_name='person',
            name='person_name_order',
        ),
        migrations.AddField(
            model_name='person',
            name='sort_key',
            field=models.CharField(blank=True, editable=False, max_length=600),
        ),
        migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['status', 'sort_key'], name='provisionin_status_25ef16_idx'),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['sort_key', 'uid'], name='person_sort_order'),
        ),
    ]
