"""The RBA scorecard (scorecard.py, views/scorecard.py): its structure, its figures, its
downloads, the public scorecard and the embed pages with their frame headers."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse

from collective.measurement.scorecard import FLAT, IMPROVING, WORSENING, rba_scorecard, trend_of
from collective.measurement.tests.helpers import save_value

pytestmark = pytest.mark.django_db

MONTHS = ["2026-06", "2026-07", "2026-08", "2026-09"]


def _spark(*values):
    return [{"period": f"p{i}", "value": v} for i, v in enumerate(values)]


@pytest.mark.parametrize(
    ("values", "direction", "expected"),
    [
        ((10, 12, 14, 16), "increase", IMPROVING),
        ((10, 12, 14, 16), "decrease", WORSENING),
        ((16, 14, 12, 10), "decrease", IMPROVING),
        ((16, 14, 12, 10), "increase", WORSENING),
        ((100, 100.1, 100, 100.1), "increase", FLAT),
        ((100, 100.1, 100, 100.1), "maintain", FLAT),
        ((10, 20, 30, 40), "maintain", WORSENING),
        ((10,), "increase", ""),
        ((), "increase", ""),
    ],
)
def test_trend_reads_the_direction(values, direction, expected):
    assert trend_of(_spark(*values), direction) == expected


@pytest.fixture
def card_world(world, bb, make_indicator):
    """An adopted agenda (goal → outcome → sub-outcome) and measures of every kind:
    POP (population, on the goal), SERVED (how much, summed, on the outcome, reported by
    Operations and Sales), QUALITY (how well, public), LIVE (better off), LOOSE (no outcome)."""
    from collective.agenda.tests.helpers import adopted_version
    from collective.measurement import services

    version = adopted_version(world)
    nodes = {n.statement: n for n in version.nodes.select_related("outcome")}
    goal = nodes["Customers go live fast"].outcome
    outcome = nodes["Hand-offs take less than a day"].outcome
    pop = make_indicator(
        "POP", name="Customers waiting", level="population", outcomes=[goal], is_public=True
    )
    served = make_indicator(
        "SERVED",
        name="Customers served",
        rba_question="how_much",
        level="output",
        outcomes=[outcome],
        unit="customers",
    )
    quality = make_indicator(
        "QUALITY",
        name="Complete hand-offs",
        rba_question="how_well",
        outcomes=[outcome],
        is_public=True,
    )
    live = make_indicator("LIVE", name="Live in 14 days", outcomes=[outcome], direction="increase")
    loose = make_indicator("LOOSE", name="Workshops held", rba_question="how_much")
    for indicator in (served, quality, live, loose):
        services.assignment_set(actor=bb, indicator=indicator, partner=world.partner)
    services.assignment_set(actor=bb, indicator=served, partner=world.other_partner)
    for i, month in enumerate(MONTHS):
        for indicator, partner, value in (
            (served, world.partner, 10 + 2 * i),
            (served, world.other_partner, 30),
            (pop, world.other_partner, 100 - i),
            (quality, world.partner, 80 + i),
            (live, world.partner, 50),
        ):
            save_value(actor=bb, indicator=indicator, partner=partner, period=month, value=value)
    services.target_set(actor=bb, indicator=served, period="2027-06", value=60)
    return {"pop": pop, "served": served, "quality": quality, "live": live, "loose": loose}


def _codes(rows):
    return [row.indicator.code for row in rows]


def test_initiative_scorecard_outcome_population_then_rba_questions_in_order(world, card_world):
    card = rba_scorecard(world.initiative)
    titles = [s.title for s in card.sections]
    assert titles == [
        "Customers go live fast",
        "Hand-offs take less than a day",
        "Sales notes reach Operations",
        "Not linked to an outcome yet",
    ]
    goal, outcome, sub, loose = card.sections
    assert [s.depth for s in card.sections[:3]] == [0, 1, 2]
    assert _codes(goal.population) == ["POP"]
    assert goal.groups == []
    assert outcome.population == []
    assert [g.question for g in outcome.groups] == ["how_much", "how_well", "better_off"]
    assert [_codes(g.rows) for g in outcome.groups] == [["SERVED"], ["QUALITY"], ["LIVE"]]
    assert sub.empty
    assert [g.question for g in loose.groups] == ["how_much"]
    assert _codes(loose.groups[0].rows) == ["LOOSE"]
    served = outcome.groups[0].rows[0]
    # The collective figure: Operations 16 + Sales 30 in the last month.
    assert (served.latest_period, float(served.latest_value)) == ("2026-09", 46.0)
    assert float(served.target_value) == 60
    assert served.trend == IMPROVING
    assert served.share is None  # only a partner's scorecard has a share
    assert card.rows[0].indicator.code == "POP"
    assert sum(card.counts.values()) == 5


def test_partner_scorecard_shows_its_own_figures_and_share(world, card_world):
    card = rba_scorecard(world.initiative, partner=world.other_partner)
    # Sales reports only SERVED: its outcome, with the goal's population indicator as context
    # only where Sales has measures (the goal has none of Sales' measures: left out).
    assert [s.title for s in card.sections] == ["Hand-offs take less than a day"]
    (section,) = card.sections
    (row,) = section.performance
    assert row.indicator.code == "SERVED"
    assert float(row.latest_value) == 30
    assert float(row.collective_value) == 46
    assert row.share == pytest.approx(30 / 46 * 100)
    assert row.trend == FLAT


def test_partner_scorecard_counts_its_subtree(world, bb, card_world):
    from collective.measurement import services

    services.assignment_set(actor=bb, indicator=card_world["loose"], partner=world.subpartner)
    save_value(
        actor=bb,
        indicator=card_world["loose"],
        partner=world.subpartner,
        period="2026-09",
        value=4,
    )
    card = rba_scorecard(world.initiative, partner=world.partner)
    loose = card.sections[-1]
    assert loose.title == "Not linked to an outcome yet"
    (row,) = loose.performance
    assert float(row.latest_value) == 4  # North Desk's value counts for Operations


def test_public_scorecard_only_public_measures(world, card_world):
    card = rba_scorecard(world.initiative, public=True)
    assert sorted(_codes(card.rows)) == ["POP", "QUALITY"]
    assert "Not linked to an outcome yet" not in [s.title for s in card.sections]


def test_scorecard_page_and_partner_page(client_as, world, card_world):
    client = client_as("viewer")
    html = client.get(reverse("measurement:initiative-scorecard", kwargs={"slug": "acme"}))
    assert html.status_code == 200
    text = html.content.decode()
    assert text.index("How much did we do?") < text.index("How well did we do it?")
    assert text.index("How well did we do it?") < text.index("Is anyone better off?")
    assert '<details class="card scorecard-section mb-3" open>' in text
    assert "46 customers" in text
    assert "no target" in text
    url = reverse("measurement:scorecard", kwargs={"slug": "acme", "uid": world.other_partner.uid})
    text = client.get(url).content.decode()
    assert "share 65.2%" in text
    # Choosing another partner in the switch goes to its scorecard.
    switched = client.get(
        reverse("measurement:initiative-scorecard", kwargs={"slug": "acme"}),
        {"partner": str(world.partner.uid)},
    )
    assert switched.status_code == 302
    assert switched["Location"].endswith(f"/partners/{world.partner.uid}/")


def test_partner_page_links_the_scorecard(client_as, world, card_world):
    page = client_as("viewer").get(
        reverse("core:partner-detail", kwargs={"slug": "acme", "uid": world.partner.uid})
    )
    assert reverse("measurement:scorecard", kwargs={"slug": "acme", "uid": world.partner.uid}) in (
        page.content.decode()
    )


def _more_measures(world, bb, n):
    from collective.measurement import services

    for i in range(n):
        indicator = services.indicator_create(
            actor=bb, initiative=world.initiative, code=f"EXTRA{i}", name=f"Extra {i}"
        )
        services.assignment_set(actor=bb, indicator=indicator, partner=world.partner)
        save_value(actor=bb, indicator=indicator, partner=world.partner, period="2026-09", value=i)


@pytest.mark.parametrize("partner", [False, True])
def test_scorecard_query_count_does_not_grow_with_measures(
    client_as, world, bb, card_world, django_assert_num_queries, partner
):
    client = client_as("viewer")
    if partner:
        url = reverse("measurement:scorecard", kwargs={"slug": "acme", "uid": world.partner.uid})
    else:
        url = reverse("measurement:initiative-scorecard", kwargs={"slug": "acme"})
    client.get(url)  # warm the session and the user's membership
    expected = 18 if partner else 14
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    _more_measures(world, bb, 6)
    with django_assert_num_queries(expected):
        assert "Extra 5" in client.get(url).content.decode()


def test_xlsx_download_opens_and_holds_the_figures(client_as, world, card_world):
    from openpyxl import load_workbook

    url = reverse("measurement:scorecard-download", kwargs={"slug": "acme", "fmt": "xlsx"})
    response = client_as("viewer").get(url, {"partner": str(world.other_partner.uid)})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Sales — scorecard"
    header = rows[3]
    served = next(r for r in rows if "SERVED" in r)
    record = dict(zip(header, served, strict=False))
    assert record["Outcome"] == "Hand-offs take less than a day"
    assert record["Kind"] == "How much did we do?"
    assert record["Latest value"] == 30
    assert record["Collective value"] == 46
    assert record["Share of the collective (%)"] == pytest.approx(65.2)
    assert record["Target"] is None  # Sales has no target of its own
    assert record["Latest period"] == "Sep 2026"


def test_xlsx_of_the_initiative(client_as, world, card_world):
    from openpyxl import load_workbook

    url = reverse("measurement:scorecard-download", kwargs={"slug": "acme", "fmt": "xlsx"})
    sheet = load_workbook(io.BytesIO(client_as("viewer").get(url).content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    codes = [r[2] for r in rows[4:]]
    assert codes == ["POP", "SERVED", "QUALITY", "LIVE", "LOOSE"]
    pop = rows[4]
    assert pop[1] == "Population indicator"
    assert pop[6] == 97  # 100 - 3 in the last month
    served = rows[5]
    assert (served[6], served[8]) == (46, 60)  # the collective value and target


def test_pdf_download_is_a_pdf_with_the_figures_and_charts(client_as, world, card_world, rf):
    import weasyprint

    from collective.measurement.views.scorecard import scorecard_pdf_html

    url = reverse("measurement:scorecard-download", kwargs={"slug": "acme", "fmt": "pdf"})
    response = client_as("viewer").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    request = rf.get("/")
    html = scorecard_pdf_html(request, rba_scorecard(world.initiative))
    assert len(weasyprint.HTML(string=html).render().pages) >= 2  # the tables, then the charts
    assert "Customers served" in html
    assert "46 customers" in html
    # A chart for every measure with values (LOOSE has none).
    assert html.count('src="data:image/svg+xml;base64,') == 4
    assert "Is anyone better off?" in html


def test_unknown_download_format_or_partner_is_404(client_as, world, card_world):
    client = client_as("viewer")
    url = reverse("measurement:scorecard-download", kwargs={"slug": "acme", "fmt": "docx"})
    assert client.get(url).status_code == 404
    url = reverse("measurement:scorecard-download", kwargs={"slug": "acme", "fmt": "xlsx"})
    assert client.get(url, {"partner": "not-a-uid"}).status_code == 404


# --- Public and embeddable ---------------------------------------------------------------------


@pytest.fixture
def public(world, bb, card_world):
    from collective.core import services as core_services

    core_services.initiative_update(
        actor=bb,
        initiative=world.initiative,
        visibility="public",
        embed_origins="https://www.example.org\nHTTPS://News.Example.net/",
    )
    return world.initiative


def test_public_scorecard_for_anyone_without_partners(client, public, world):
    response = client.get(reverse("measurement:scorecard-public", kwargs={"slug": "acme"}))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Customers waiting" in text and "Complete hand-offs" in text
    assert "Customers served" not in text  # not public
    assert "Ops Team North" not in text
    assert 'id="scorecard-partner"' not in text  # no partner switch for the public
    assert str(world.partner.uid) not in text
    assert "members only" not in text.lower()
    assert "Embed on another website" not in text  # the snippet is for members


def test_public_pages_are_404_when_the_initiative_is_not_public(client, world, card_world):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="os"))  # signed in, not a member
    for name, kwargs in (
        ("measurement:scorecard-public", {"slug": "acme"}),
        ("measurement:scorecard-embed", {"slug": "acme"}),
        ("measurement:indicator-embed", {"slug": "acme", "code": "QUALITY"}),
    ):
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404


def test_embed_headers_allow_only_the_listed_sites(client, public):
    for name, kwargs in (
        ("measurement:scorecard-embed", {"slug": "acme"}),
        ("measurement:indicator-embed", {"slug": "acme", "code": "QUALITY"}),
    ):
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 200
        csp = response["Content-Security-Policy"]
        ancestors = re.search(r"frame-ancestors ([^;]*)", csp).group(1).split()
        assert ancestors == ["https://www.example.org", "https://news.example.net"]
        assert "X-Frame-Options" not in response
        assert b"<script" not in response.content  # light: no script at all


def test_embed_without_allowed_sites_cannot_be_framed(client, public, bb):
    from collective.core import services as core_services

    core_services.initiative_update(actor=bb, initiative=public, embed_origins=[])
    response = client.get(reverse("measurement:scorecard-embed", kwargs={"slug": "acme"}))
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_other_pages_stay_unframeable(client, public):
    response = client.get(reverse("measurement:scorecard-public", kwargs={"slug": "acme"}))
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_indicator_embed_has_chart_description_and_table(client, public):
    url = reverse("measurement:indicator-embed", kwargs={"slug": "acme", "code": "QUALITY"})
    text = client.get(url).content.decode()
    assert '<img class="embed-chart" src="data:image/svg+xml;base64,' in text
    assert 'id="embed-chart-desc"' in text
    assert "Complete hand-offs rose from 80" in text  # the chart's text description
    assert "<table" in text and "Sep 2026" in text
    # A measure that is not public is not embeddable for the public.
    url = reverse("measurement:indicator-embed", kwargs={"slug": "acme", "code": "SERVED"})
    assert client.get(url).status_code == 404


def test_snippets_for_members(client_as, public):
    client = client_as("backbone")
    text = client.get(reverse("measurement:scorecard-public", kwargs={"slug": "acme"})).content
    text = text.decode()
    assert "Embed on another website" in text
    assert '&lt;iframe src="http://testserver/i/acme/measures/public/scorecard/embed/"' in text
    assert "https://www.example.org, https://news.example.net" in text
    url = reverse("measurement:indicator-public", kwargs={"slug": "acme", "code": "QUALITY"})
    text = client.get(url).content.decode()
    assert "/i/acme/measures/public/QUALITY/embed/" in text


def test_public_overview_links_agenda_scorecard_and_measures(client, public):
    text = client.get(reverse("core:initiative-overview", kwargs={"slug": "acme"})).content
    text = text.decode()
    assert reverse("agenda:index", kwargs={"slug": "acme"}) in text
    assert reverse("measurement:scorecard-public", kwargs={"slug": "acme"}) in text
    assert reverse("measurement:indicator-public", kwargs={"slug": "acme", "code": "POP"}) in text
    assert "/public/SERVED/" not in text
    assert "Members see" not in text


def test_embed_origins_are_validated(bb, world):
    from collective.core import services as core_services
    from collective.core.errors import ApplicationError

    for bad in ("https://example.org/path", "*.example.org", "ftp://example.org", "example.org"):
        with pytest.raises(ApplicationError) as caught:
            core_services.initiative_update(
                actor=bb, initiative=world.initiative, embed_origins=f"https://ok.org\n{bad}"
            )
        assert bad in caught.value.errors["embed_origins"][0]
    world.initiative.refresh_from_db()
    assert world.initiative.embed_origins == []  # nothing saved half-way


def test_settings_form_keeps_and_explains_bad_origins(client_as, world):
    client = client_as("backbone")
    url = reverse("core:initiative-settings", kwargs={"slug": "acme"})
    data = {
        "name": "Acme Change",
        "purpose": "",
        "visibility": "public",
        "stage": "early",
        "embed_origins": "https://www.example.org/page",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "is not an origin" in text
    assert "https://www.example.org/page" in text
    data["embed_origins"] = "https://www.example.org"
    assert client.post(url, data).status_code == 302
    world.initiative.refresh_from_db()
    assert world.initiative.embed_origins == ["https://www.example.org"]


def test_chart_status_colours_are_the_palette_of_the_pages():
    from django.conf import settings

    from collective.measurement import charts

    css = (settings.BASE_DIR / "collective/static/collective/app.css").read_text()
    palette = dict(re.findall(r"--c-(on-track|at-risk|off-track|no-data):\s*(#[0-9a-f]{6})", css))
    expected = {
        "on_track": palette["on-track"],
        "at_risk": palette["at-risk"],
        "off_track": palette["off-track"],
        "no_data": palette["no-data"],
    }
    colours = dict(charts.STATUS_COLOURS)
    assert colours == expected
    assert palette == {
        "on-track": "#146c2e",
        "at-risk": "#805600",
        "off-track": "#b42318",
        "no-data": "#525a69",
    }


def test_server_chart_draws_values_target_and_status():
    import datetime

    from collective.measurement import charts, rendered

    data = charts.ChartData(title="Days", unit="days", status="off_track")
    data.actuals["All partners"] = [
        charts.Point(f"2026-0{m}", datetime.date(2026, m, 1), v)
        for m, v in ((1, 20.0), (2, 25.0), (3, 30.0))
    ]
    data.targets = [charts.Point("2026-03", datetime.date(2026, 3, 1), 14.0)]
    svg = rendered.svg(data)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'stroke-dasharray="6 4"' in svg  # the target, dashed as on the pages
    assert 'fill="#b42318"' in svg  # the last point in the status colour
    assert "Jan 2026" in svg and "Mar 2026" in svg
    assert rendered.svg(charts.ChartData(title="Empty")) == ""


def test_partner_scorecard_shows_population_beside_its_measures_but_does_not_count_it(
    world, bb, card_world
):
    from collective.agenda.models import Outcome
    from collective.measurement import services

    outcome = Outcome.objects.get(title="Hand-offs take less than a day")
    services.indicator_update(
        actor=bb, indicator=card_world["pop"], outcomes=[*card_world["pop"].outcomes.all(), outcome]
    )
    card = rba_scorecard(world.initiative, partner=world.other_partner)
    (section,) = card.sections
    assert _codes(section.population) == ["POP"]
    assert float(section.population[0].latest_value) == 97  # the whole population's figure
    assert sum(card.counts.values()) == 1  # SERVED only
