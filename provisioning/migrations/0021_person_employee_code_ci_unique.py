import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    """Apart from 0014's data migration: PostgreSQL refuses to alter a table with pending trigger events
    in the transaction that updated it."""

    dependencies = [
        ('provisioning', '0020_person_one_word_names_and_visible_unit_names'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='person',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Upper('employee_code'),
                                               name='person_employee_code_ci_unique'),
        ),
    ]
