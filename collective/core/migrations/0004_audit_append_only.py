"""The database refuses changes to audit entries (the model and its queryset refuse them too).

The one UPDATE allowed is the one Django's deletion of a person makes: setting `actor_id` to
NULL (the entry stays, without the name). Deleting an initiative still deletes its entries.
A later migration that must rewrite entries drops the trigger, rewrites, and creates it again.
"""

from django.db import migrations

CREATE = [
    """
CREATE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF NEW.actor_id IS NULL AND OLD.actor_id IS NOT NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = 'Audit entries cannot be changed (core_auditevent ' || OLD.id || ').',
        ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only()
""",
]

_SAME = " AND ".join(
    f"NEW.{column} IS OLD.{column}"
    for column in (
        "id", "initiative_id", "verb", "target_type", "target_id", "target_repr", "changes",
        "created_at",
    )
)  # fmt: skip
SQLITE_CREATE = [
    f"""
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE ON core_auditevent
WHEN NOT (NEW.actor_id IS NULL AND OLD.actor_id IS NOT NULL AND {_SAME})
BEGIN
    SELECT RAISE(ABORT, 'Audit entries cannot be changed.');
END
""",
]

DROP = [
    "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent",
    "DROP FUNCTION IF EXISTS core_auditevent_append_only()",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": CREATE, "sqlite": SQLITE_CREATE}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": DROP, "sqlite": DROP[:1]}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_audit_changes_shape"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
