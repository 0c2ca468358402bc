from django.db import migrations, models
from django.db.models.functions import Upper

import provisioning.common.naming


def upper_case_employee_codes(apps, schema_editor):
    """Employee codes become case-insensitive (issue 15): existing codes are stored upper case, as the
    checks now write them. Two people whose codes differ only in case are one person entered twice: that
    is for HR to settle (merge or recode), so the migration stops and names them rather than guess."""
    Person = apps.get_model("provisioning", "Person")
    seen: dict[str, str] = {}
    clashes = []
    for code in Person.objects.values_list("employee_code", flat=True).iterator():
        key = code.upper()
        if key in seen:
            clashes.append(f"{seen[key]} / {code}")
        seen[key] = code
    if clashes:
        raise RuntimeError("employee codes that differ only in case belong to different people: "
                           + "; ".join(clashes[:20]) + ". Recode one of each pair, then migrate again.")
    for pk, code in list(Person.objects.exclude(employee_code=Upper("employee_code")).values_list("pk",
                                                                                                 "employee_code")):
        Person.objects.filter(pk=pk).update(employee_code=code.upper())


class Migration(migrations.Migration):

    dependencies = [
        ('provisioning', '0019_snapshot_subtree'),
    ]

    operations = [
        migrations.AlterField(
            model_name='person',
            name='family_name',
            field=models.CharField(blank=True, max_length=64, verbose_name='family name'),
        ),
        migrations.AlterField(
            model_name='unit',
            name='name',
            field=models.CharField(max_length=255, validators=[provisioning.common.naming.validate_visible],
                                   verbose_name='name'),
        ),
        migrations.RunPython(upper_case_employee_codes, migrations.RunPython.noop),
    ]
