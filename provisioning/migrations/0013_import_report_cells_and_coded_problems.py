"""Import rows keep their cells (for the error report HR uploads again) and store problems as codes
(rendered in the reader's language). A commit failure stored as text before this moves into
outcome_errors as it is: a plain string there is shown unchanged."""

from django.db import migrations, models


def keep_outcome_texts(apps, schema_editor):
    ImportRow = apps.get_model("provisioning", "ImportRow")
    for row in ImportRow.objects.exclude(outcome_error="").only("pk", "outcome_error").iterator():
        ImportRow.objects.filter(pk=row.pk).update(outcome_errors={"": [row.outcome_error]})


def back_to_text(apps, schema_editor):
    ImportRow = apps.get_model("provisioning", "ImportRow")
    for row in ImportRow.objects.exclude(outcome_errors={}).only("pk", "outcome_errors").iterator():
        text = "; ".join(str(m if isinstance(m, str) else m.get("code", "")) for ms in row.outcome_errors.values()
                         for m in ms)
        ImportRow.objects.filter(pk=row.pk).update(outcome_error=text or "?")


class Migration(migrations.Migration):

    dependencies = [
        ('provisioning', '0012_person_name_order_field'),
    ]

    operations = [
        migrations.AddField(
            model_name='importbatch',
            name='headers',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='importrow',
            name='cells',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='importrow',
            name='outcome_errors',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(keep_outcome_texts, back_to_text),
        migrations.RemoveField(
            model_name='importrow',
            name='outcome_error',
        ),
    ]
