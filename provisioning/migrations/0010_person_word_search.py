from django.db import migrations

from provisioning.common.naming import search_text

BATCH = 2000


def recompute(apps, schema_editor):
    """Every person's search words as " word word " (no mail domain), a batch at a time, keyed by pk
    so memory stays flat however many people there are."""
    Person = apps.get_model("provisioning", "Person")
    fields = ("uid", "employee_code", "family_name", "middle_name", "given_name", "mail")
    last = 0
    while True:
        people = list(Person.objects.filter(pk__gt=last).order_by("pk").only(*fields)[:BATCH])
        if not people:
            return
        for p in people:
            p.search_text = search_text(family=p.family_name, middle=p.middle_name, given=p.given_name, uid=p.uid,
                                        employee_code=p.employee_code, mail=p.mail)
        Person.objects.bulk_update(people, ["search_text"], batch_size=500)
        last = people[-1].pk


class Migration(migrations.Migration):

    dependencies = [
        ('provisioning', '0009_category_quotas_usage_quota'),
    ]

    operations = [
        migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True),
    ]
