"""Backups you can trust: `backup` then `restore` into an empty database gives every table back,
row for row (counts and content checksums), on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from collective.core import backup
from collective.measurement.tests.helpers import save_value

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def data(world):
    """Rows in many tables: the world, an adopted agenda, measures with values and history."""
    from collective.agenda.tests.helpers import in_consultation
    from collective.measurement import services

    in_consultation(world)
    indicator = services.indicator_create(
        actor=world.users["backbone"],
        initiative=world.initiative,
        code="PEOPLE",
        name="People reached — “quoted”, ünïcode",
        breakdown_dimension="Age",
        breakdown_values=["Under 18", "18 and over"],
    )
    for partner in (world.partner, world.subpartner, world.other_partner):
        for period, value in (("2025-01", 1.5), ("2025-02", 2.25)):
            save_value(
                actor=world.users["backbone"],
                indicator=indicator,
                partner=partner,
                period=period,
                value=value,
                breakdown="Under 18",
                note="Ärger — a note with\na line break",
            )
    return world


@pytest.fixture
def empty_database(tmp_path):
    """The URL of a new, empty database of the same kind as the test database."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"{db['NAME']}_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{name}"
    )
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_then_restore_into_an_empty_database_gives_every_table_back(
    data, tmp_path, empty_database
):
    live = backup.Target.from_settings()
    path = tmp_path / f"collective-test{live.suffix}"
    call_command("backup", output=str(path), verbosity=0)
    assert path.exists() and path.stat().st_mode & 0o777 == 0o600

    target = backup.Target.from_url(empty_database)
    assert backup.is_empty(target)
    call_command("restore", str(path), into=empty_database, interactive=False, verbosity=0)

    before = backup.fingerprints(live)
    after = backup.fingerprints(target)
    assert sorted(after) == sorted(before)
    assert after == before
    # The comparison compared real data, not empty tables.
    assert before["measurement_observation"][0] == 6
    assert before["agenda_agendaversion"][0] == 2
    assert before["django_migrations"][0] > 10
    assert sum(count for count, _ in before.values()) > 100


def test_a_change_shows_in_the_fingerprints(data):
    from collective.core.models import Partner

    live = backup.Target.from_settings()
    before = backup.fingerprints(live)
    Partner.objects.filter(pk=data.partner.pk).update(description="Changed")
    after = backup.fingerprints(live)
    assert after["core_partner"][0] == before["core_partner"][0]
    assert after["core_partner"][1] != before["core_partner"][1]


def test_restore_refuses_a_database_that_has_data(data, tmp_path):
    live = backup.Target.from_settings()
    path = tmp_path / f"collective-test{live.suffix}"
    call_command("backup", output=str(path), verbosity=0)
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(path), interactive=False, verbosity=0)
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", output=str(path), verbosity=0)


def test_backups_go_to_the_backup_folder_and_old_ones_are_pruned(data, tmp_path, settings):
    settings.BACKUP_DIR = tmp_path
    suffix = backup.Target.from_settings().suffix
    for name in ("collective-20250101-000000", "collective-20250102-000000"):
        (tmp_path / f"{name}{suffix}").write_bytes(b"old")
    call_command("backup", keep=2, verify=True, verbosity=0)
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert len(kept) == 2 and kept[0] == f"collective-20250102-000000{suffix}"
