"""A partner's path is never empty: repair paths saved outside the services, then refuse them.

Partners saved in the Django admin got `path=''`, a prefix of every path, so their members'
scope covered every partner. The paths are recomputed from the parent links for every
initiative that has such a partner, then a check constraint keeps the shape "/3/8/12/".
"""

from django.db import migrations, models


def _shape_ok(path: str) -> bool:
    return len(path) > 1 and path.startswith("/") and path.endswith("/") and "//" not in path


def repair_paths(apps, schema_editor):
    Partner = apps.get_model("core", "Partner")
    broken = {p.initiative_id for p in Partner.objects.only("initiative_id", "path")
              if not _shape_ok(p.path)}  # fmt: skip
    for initiative_id in broken:
        partners = {p.pk: p for p in Partner.objects.filter(initiative_id=initiative_id)}

        def path_of(partner, seen=()):
            if partner.parent_id is None or partner.parent_id in seen:
                return f"/{partner.pk}/"
            return path_of(partners[partner.parent_id], (*seen, partner.pk)) + f"{partner.pk}/"

        for partner in partners.values():
            partner.path = path_of(partner)
            partner.depth = partner.path.count("/") - 2
            partner.save(update_fields=["path", "depth"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(repair_paths, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="partner",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("path__startswith", "/"),
                    ("path__endswith", "/"),
                    models.Q(("path", "/"), _negated=True),
                    models.Q(("path__contains", "//"), _negated=True),
                ),
                name="partner_path_shape",
                violation_error_message="A partner's path is set by the partner services.",
            ),
        ),
    ]
