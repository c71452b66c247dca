"""Links to activities keep the activity's stable uid beside its id (API and page links use it);
rows linked before are filled from the activity they point at, where it still exists."""

from django.db import migrations, models

LINKED = ("actionitem", "agendaitem", "slippedactivity", "update")


def fill_uids(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for name in LINKED:
        model = apps.get_model("communication", name)
        rows = model.objects.filter(activity_type__isnull=False, activity_uid__isnull=True)
        for type_id in rows.values_list("activity_type_id", flat=True).distinct():
            kind = ContentType.objects.filter(pk=type_id).first()
            try:
                target = apps.get_model(kind.app_label, kind.model) if kind else None
            except LookupError:  # an app that is no longer installed: keep the title only
                target = None
            if target is None or not any(f.name == "uid" for f in target._meta.fields):
                continue
            for row in rows.filter(activity_type_id=type_id):
                uid = target.objects.filter(pk=row.activity_id).values_list("uid", flat=True)
                row.activity_uid = uid.first()
                if row.activity_uid:
                    row.save(update_fields=["activity_uid"])


class Migration(migrations.Migration):
    dependencies = [
        ("communication", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name=name,
                name="activity_uid",
                field=models.UUIDField(blank=True, null=True),
            )
            for name in LINKED
        ),
        migrations.RunPython(fill_uids, migrations.RunPython.noop),
    ]
