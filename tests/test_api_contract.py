"""The API keeps its contract: schemathesis, with a fixed seed, sends generated requests to every
operation of the OpenAPI schema (as the backbone, through the token) and checks that none answers
5xx and every answer matches the schema — its status codes, content type and body."""

from __future__ import annotations

import pytest
from django.core.wsgi import get_wsgi_application

from collective.measurement.tests.helpers import save_value

pytestmark = pytest.mark.django_db

EXAMPLES = 20  # per operation: about 60 operations, bounded to a few minutes on 2 cores


@pytest.fixture
def api_world(world, settings):
    """The world with one of each object the API's addresses name."""
    from collective.agenda.tests.helpers import amendment, in_consultation
    from collective.core import services as core_services
    from collective.measurement import services

    rates = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], user="100000/m")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    backbone = world.users["backbone"]
    version = in_consultation(world)
    item = amendment(world, version)
    indicator = services.indicator_create(
        actor=backbone, initiative=world.initiative, code="PEOPLE", name="People"
    )
    observation, _ = save_value(
        actor=backbone, indicator=indicator, partner=world.partner, period="2025-03", value=4
    )
    target = services.target_set(actor=backbone, indicator=indicator, period="2026-12", value=9)
    assignment = services.assignment_set(actor=backbone, indicator=indicator, partner=world.partner)
    from collective.agenda.models import OutcomeNode
    from collective.core.models import Membership

    node = OutcomeNode.objects.filter(version=version).exclude(parent=None).first()
    _token, secret = core_services.api_token_create(actor=backbone, name="contract")
    world.extra.update(
        token=secret,
        version=version,
        item=item,
        node=node,
        observation=observation,
        target=target,
        assignment=assignment,
        membership=Membership.objects.get(initiative=world.initiative, user=world.users["viewer"]),
    )
    return world


@pytest.fixture
def wsgi_app():
    """The site's WSGI application, keeping the test's database connection open (as Django's
    test client does): requests end without closing it."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _path_parameters(path: str, w) -> dict:
    """Real objects for the addresses' parameters, so requests reach past the 404."""
    values = {"slug": w.initiative.slug, "code": "PEOPLE", "number": w.extra["version"].number}
    if "/partners/" in path:
        values["uid"] = str(w.partner.uid)
    elif "/observations/" in path:
        values["uid"] = str(w.extra["observation"].uid)
    elif "/outcomes/" in path:
        values["uid"] = str(w.extra["node"].outcome.uid)
    elif "/items/" in path:
        values["uid"] = str(w.extra["item"].uid)
    if "/members/" in path:
        values["id"] = w.extra["membership"].pk
    elif "/targets/" in path:
        values["id"] = w.extra["target"].pk
    elif "/assignments/" in path:
        values["id"] = w.extra["assignment"].pk
    return {name: value for name, value in values.items() if "{" + name + "}" in path}


def test_every_operation_keeps_the_schema(api_world, wsgi_app):
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.checks import (
        content_type_conformance,
        not_a_server_error,
        response_schema_conformance,
        status_code_conformance,
    )

    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    headers = {"Authorization": f"Token {api_world.extra['token']}"}
    failures = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        strategy = operation.as_strategy(
            path_parameters=_path_parameters(operation.path, api_world), headers=headers
        )

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,  # the same requests every run
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case):
            response = case.call()
            case.validate_response(response, checks=checks)

        try:
            run()
        except (Exception, BaseExceptionGroup) as error:  # every operation's, not only the first
            failures.append(f"{operation.label}: {str(error)[:1500]}")
    assert operations > 40
    assert not failures, "\n\n".join(failures)
