"""On election day the core team keeps the progress page open: a report that arrives
shows in its figures without a reload."""

from django.urls import reverse
from playwright.sync_api import expect

from observation.models import AreaOutlines, Deployment, MissionMembership
from tests import factories
from tests.e2e.conftest import member


def test_the_progress_page_shows_a_new_report_without_a_reload(page, sign_in, peru):
    mission, election_round = peru["mission"], peru["round"]
    Deployment.objects.create(
        mission=mission,
        round=election_round,
        station=peru["station"],
        team=peru["observer"],
        phase="voting",
    )
    sign_in(member(mission, MissionMembership.Role.STAFF))
    # The page asks for new figures every 30 seconds: the test moves the page's clock.
    page.clock.install()
    page.goto(reverse("observation:round_progress", args=[mission.pk, election_round.pk]))
    received = page.locator('[data-cell="total:voting:received"]')
    expect(received).to_have_text("0")
    expect(page.get_by_text("They update every 30 seconds")).to_be_visible()
    page.evaluate("window.stillTheSamePage = true")

    factories.ObserverReportFactory(
        mission=mission,
        round=election_round,
        station=peru["station"],
        observer=peru["observer"],
        phase="voting",
    )
    page.clock.fast_forward("00:31")

    expect(received).to_have_text("1")
    expect(page.locator('[data-cell="total:voting:percent"]')).to_have_text("100")
    expect(page.locator("#missing")).to_have_text("0 reports still missing")
    assert page.evaluate("window.stillTheSamePage") is True


def test_an_overvote_shows_as_an_alert_and_is_acknowledged_by_name(page, sign_in, peru):
    mission, election_round = peru["mission"], peru["round"]
    Deployment.objects.create(
        mission=mission,
        round=election_round,
        station=peru["station"],
        team=peru["observer"],
        phase="counting",
    )
    staff = member(mission, MissionMembership.Role.STAFF)
    sign_in(staff)
    page.clock.install()
    page.goto(reverse("observation:round_progress", args=[mission.pk, election_round.pk]))
    waiting = page.locator('[data-cell="alerts:open"]')
    expect(waiting).to_have_text("0")

    factories.ObserverReportFactory(
        mission=mission,
        round=election_round,
        station=peru["station"],
        observer=peru["observer"],
        phase="counting",
        ballots_cast=412,
        saved_by=staff,
    )
    page.clock.fast_forward("00:31")
    expect(waiting).to_have_text("1")

    page.get_by_role("link", name="Alerts to acknowledge").click()
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("Overvote")
    expect(row).to_contain_text("AYA-0042")
    row.get_by_role("button", name="Acknowledge").click()

    expect(page.get_by_text("Alert acknowledged in your name.")).to_be_visible()
    expect(page.get_by_text("0 alerts wait for acknowledgement.")).to_be_visible()
    page.get_by_label("Show").select_option(label="All, acknowledged too")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody tr").first).to_contain_text(staff.get_full_name())


def test_the_map_draws_the_stations_without_asking_anything_outside_the_app(
    page, sign_in, peru, live_server
):
    mission, election_round = peru["mission"], peru["round"]
    for n, (latitude, longitude) in enumerate([(-13.16, -74.22), (-12.05, -77.04)]):
        factories.PollingStationFactory(
            mission=mission, code=f"MAP-{n}", latitude=latitude, longitude=longitude
        )
    sign_in(member(mission, MissionMembership.Role.STAFF))
    asked = []
    page.on("request", lambda request: asked.append(request.url))

    page.goto(reverse("observation:round_map", args=[mission.pk, election_round.pk]))

    expect(page.locator(".station-map")).to_have_attribute("data-loaded", "2")
    expect(page.locator(".leaflet-container")).to_be_visible()
    assert asked
    assert [url for url in asked if not url.startswith(live_server.url)] == []


def test_the_map_draws_the_areas_outlines_under_the_stations(page, sign_in, peru, live_server):
    mission, election_round = peru["mission"], peru["round"]
    for n, (latitude, longitude) in enumerate([(-13.16, -74.22), (-12.05, -77.04)]):
        factories.PollingStationFactory(
            mission=mission, code=f"MAP-{n}", latitude=latitude, longitude=longitude
        )
    square = [[[-80, -16], [-70, -16], [-70, -8], [-80, -8], [-80, -16]]]
    AreaOutlines.objects.create(
        mission=mission,
        level=1,
        geojson={
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"name": "<b>Ayacucho</b>"},
                    "geometry": {"type": "Polygon", "coordinates": square},
                }
            ],
        },
        name_property="NOMBDEP",
        features=1,
        matched=1,
    )
    sign_in(member(mission, MissionMembership.Role.STAFF))
    asked = []
    page.on("request", lambda request: asked.append(request.url))

    page.goto(reverse("observation:round_map", args=[mission.pk, election_round.pk]))

    root = page.locator(".station-map")
    expect(root).to_have_attribute("data-loaded", "2")
    expect(root).to_have_attribute("data-outlines", "1")
    box = root.bounding_box()
    # Inside the area, away from the stations and the zoom buttons.
    page.mouse.move(box["x"] + box["width"] - 40, box["y"] + box["height"] / 2)
    # The name is shown as the file wrote it: text, never markup.
    expect(page.locator(".leaflet-tooltip")).to_have_text("<b>Ayacucho</b>")
    assert [url for url in asked if not url.startswith(live_server.url)] == []
