"""Values written by an import (staged, then INSERT … SELECT), by the one door with many rows
(batches) and with one row (a few plain statements) get RFC 9562 version-7 uids from
`core.ids`."""

from __future__ import annotations

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile

from collective.measurement import services
from collective.measurement.models import Observation


def test_imported_and_bulk_values_get_version_7_uids(world, bb, make_indicator):
    make_indicator("PEOPLE")
    text = "indicator,partner,period,value\n" + "".join(
        f"PEOPLE,Operations,2025-{m:02d},{m}\n" for m in range(1, 7)
    )
    upload = SimpleUploadedFile("v.csv", text.encode(), content_type="text/csv")
    job = services.import_start(actor=bb, initiative=world.initiative, uploaded_file=upload)
    services.import_confirm(actor=bb, job=job, unassigned="include")
    services.observations_upsert(
        actor=bb,
        initiative=world.initiative,
        rows=[
            {"indicator": "PEOPLE", "partner": "Sales", "period": "2025-01", "value": 1},
            {"indicator": "PEOPLE", "partner": "Sales", "period": "2025-02", "value": 2},
        ],
    )
    services.observations_upsert(
        actor=bb,
        initiative=world.initiative,
        rows=[{"indicator": "PEOPLE", "partner": "Sales", "period": "2025-03", "value": 3}],
    )
    uids = list(Observation.objects.values_list("uid", flat=True))
    assert len(uids) == 9
    for uid in uids:
        assert uid.version == 7 and uid.variant == uuid.RFC_4122
