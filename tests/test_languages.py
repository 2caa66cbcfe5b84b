"""Observa in Spanish: the switcher, the remembered choice, dates no one can misread,
numbers by locale and statements written in both languages."""

import datetime
import io
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from accounts.models import Preferences
from observation.models import FindingsStatement, Irregularity, ObserverReport
from tests import factories
from tests.factories import PASSWORD
from tests.observation.test_reports import report_data
from tests.observation.test_statements import statement_data

UTC = datetime.UTC
# A numeric date, read "4 September" in Lima and "9 April" in Washington.
NUMERIC_DATE = re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b")


@pytest.fixture
def lima(mission):
    mission.name = "Perú 2000"
    mission.time_zone = "America/Lima"
    mission.save()
    return {
        "mission": mission,
        "round": factories.ElectionRoundFactory(mission=mission),
        "station": factories.PollingStationFactory(
            mission=mission,
            code="LIM-001",
            name="Colegio Señor de los Milagros",
            registered_voters=1234,
        ),
        "observer": factories.DelegationMemberFactory(mission=mission),
    }


def choose(client, language, next_url="/"):
    return client.post(reverse("accounts:set_language"), {"language": language, "next": next_url})


def visible_text(response) -> str:
    """The page's text as read, without tags, attributes or scripts."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- The switcher and the remembered choice ---------------------------------------


def test_browser_language_is_used_until_the_user_chooses(client):
    page = client.get(reverse("login"), headers={"accept-language": "es"})
    assert page["Content-Language"] == "es"
    assert "Iniciar sesión" in page.content.decode()

    response = choose(client, "en", reverse("login"))

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(reverse("login"), headers={"accept-language": "es"})
    assert "Sign in to Observa" in page.content.decode()


def test_switcher_is_in_the_navbar_and_keeps_the_page(client, staff, lima):
    client.force_login(staff)
    url = reverse("observation:mission_detail", args=[lima["mission"].pk])

    page = client.get(url).content.decode()
    assert f'action="{reverse("accounts:set_language")}"' in page
    assert 'name="language" value="es"' in page

    response = choose(client, "es", url)
    assert response.url == url
    spanish = client.get(url)
    assert spanish["Content-Language"] == "es"
    assert "Registrar un reporte" in spanish.content.decode()


def test_the_same_url_serves_both_languages(client, staff, lima):
    client.force_login(staff)
    url = reverse("observation:report_list", args=[lima["mission"].pk])
    assert client.get(url, headers={"accept-language": "en"}).status_code == 200
    assert client.get(url, headers={"accept-language": "es"}).status_code == 200
    assert not url.startswith(("/es/", "/en/"))


def test_a_signed_in_users_choice_is_kept_for_their_next_sign_in_elsewhere(client, staff):
    client.force_login(staff)
    choose(client, "es")
    assert Preferences.objects.get(user=staff).language == "es"

    elsewhere = type(client)()  # another browser: no cookie, an English one
    elsewhere.post(reverse("login"), {"username": staff.username, "password": PASSWORD})
    home = elsewhere.get(reverse("home"), headers={"accept-language": "en"})

    assert home["Content-Language"] == "es"
    assert "Sus misiones" in home.content.decode()


def test_choosing_again_replaces_the_kept_choice(client, staff):
    client.force_login(staff)
    choose(client, "es")
    choose(client, "en")
    assert Preferences.objects.get(user=staff).language == "en"
    home = client.get(reverse("home"), headers={"accept-language": "es"})
    assert home["Content-Language"] == "en"


def test_an_unknown_language_is_neither_kept_nor_served(client, staff):
    client.force_login(staff)
    response = choose(client, "xx")
    assert response.status_code == 302
    assert not Preferences.objects.filter(user=staff).exists()
    assert client.get(reverse("home"))["Content-Language"] == "en"


def test_the_code_step_of_sign_in_can_be_read_in_spanish(client, leader):
    factories.TOTPDeviceFactory(user=leader)
    client.post(reverse("login"), {"username": leader.username, "password": PASSWORD})
    verify = reverse("accounts:verify")

    response = choose(client, "es", verify)

    assert response.url == verify
    assert "Ingrese su código" in client.get(verify).content.decode()


def test_switching_language_needs_post(client):
    assert client.get(reverse("accounts:set_language")).status_code == 405


def test_a_user_without_a_choice_signs_in_in_the_browsers_language(client, staff):
    client.post(reverse("login"), {"username": staff.username, "password": PASSWORD})
    home = client.get(reverse("home"), headers={"accept-language": "es"})
    assert home["Content-Language"] == "es"
    assert not Preferences.objects.filter(user=staff).exists()


# --- Dates, times and numbers ------------------------------------------------------


@pytest.fixture
def report(lima):
    return factories.ObserverReportFactory(
        mission=lima["mission"],
        round=lima["round"],
        station=lima["station"],
        observer=lima["observer"],
        arrived_at=datetime.datetime(2000, 4, 9, 12, 15, tzinfo=UTC),
        departed_at=datetime.datetime(2000, 4, 9, 13, 0, tzinfo=UTC),
        ballots_cast=250,
    )


def test_the_same_report_shows_its_date_in_each_language(client, staff, report):
    client.force_login(staff)
    url = report.get_absolute_url()

    english = visible_text(client.get(url, headers={"accept-language": "en"}))
    spanish = visible_text(client.get(url, headers={"accept-language": "es"}))

    assert "9 Apr 2000, 07:15 (Lima time)" in english
    assert "9 abr 2000, 07:15 (hora de Lima)" in spanish
    assert "First round, 9 Apr 2000" in english
    assert "Primera vuelta, 9 abr 2000" in spanish


def test_a_time_typed_in_lima_time_is_stored_in_utc_and_shown_in_lima_time(client, staff, lima):
    client.force_login(staff)
    create = reverse("observation:report_create", args=[lima["mission"].pk])
    form = client.get(create, headers={"accept-language": "es"}).content.decode()
    assert "Llegada (hora de Lima)" in form

    client.post(create, report_data(lima, arrived_at="2000-04-09T07:00", departed_at=""))

    report = ObserverReport.objects.get()
    assert report.arrived_at == datetime.datetime(2000, 4, 9, 12, 0, tzinfo=UTC)
    shown = visible_text(client.get(report.get_absolute_url(), headers={"accept-language": "es"}))
    assert "9 abr 2000, 07:00 (hora de Lima)" in shown


@pytest.mark.parametrize("language", ["en", "es"])
def test_no_page_writes_a_numeric_date(client, leader, report, language):
    mission = report.mission
    irregularity = factories.IrregularityFactory(
        mission=mission, report=report, station=report.station, round=report.round
    )
    statement = factories.FindingsStatementFactory(mission=mission)
    client.force_login(leader)
    pages = [
        reverse("home"),
        reverse("observation:mission_list"),
        mission.get_absolute_url(),
        reverse("observation:report_list", args=[mission.pk]),
        report.get_absolute_url(),
        reverse("observation:irregularity_list", args=[mission.pk]),
        irregularity.get_absolute_url(),
        reverse("observation:review_queue", args=[mission.pk]),
        reverse("observation:statement_list", args=[mission.pk]),
        statement.get_absolute_url(),
        reverse("observation:mission_summary", args=[mission.pk]),
    ]
    for url in pages:
        text = visible_text(client.get(url, headers={"accept-language": language}))
        assert not NUMERIC_DATE.search(text), (url, NUMERIC_DATE.search(text).group())


def test_numbers_follow_the_readers_locale_in_pages_but_not_in_csv(client, staff, lima):
    client.force_login(staff)
    stations = reverse("observation:station_list", args=[lima["mission"].pk])

    assert "1,234" in visible_text(client.get(stations, headers={"accept-language": "en"}))
    assert "1.234" in visible_text(client.get(stations, headers={"accept-language": "es"}))
    export = client.get(
        reverse("observation:station_export", args=[lima["mission"].pk, "csv"]),
        headers={"accept-language": "es"},
    )
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert ",1234" in body
    assert "1.234" not in body


def test_summary_percentages_take_a_decimal_comma_in_spanish(client, staff, report):
    factories.PollingStationFactory(mission=report.mission)
    factories.PollingStationFactory(mission=report.mission)
    client.force_login(staff)
    url = reverse("observation:mission_summary", args=[report.mission.pk])

    assert "(33.3 %)" in visible_text(client.get(url, headers={"accept-language": "en"}))
    assert "(33,3 %)" in visible_text(client.get(url, headers={"accept-language": "es"}))


def test_exports_write_iso_times_with_the_offset_and_no_microseconds(client, staff, report):
    report.arrived_at = datetime.datetime(2000, 4, 9, 12, 15, 30, 123456, tzinfo=UTC)
    report.save()
    client.force_login(staff)
    export = client.get(
        reverse("observation:report_export", args=[report.mission.pk, "csv"]),
        headers={"accept-language": "es"},
    )
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "2000-04-09T07:15:30-05:00" in body
    assert "123456" not in body


def test_history_reads_in_the_readers_language(client, staff, leader, mission):
    statement = factories.FindingsStatementFactory(mission=mission)
    statement.submit_for_review(by=leader)
    client.force_login(staff)

    page = client.get(statement.get_absolute_url(), headers={"accept-language": "es"})

    assert "Borrador → En revisión" in visible_text(page)


# --- The standard categories -------------------------------------------------------


def test_standard_categories_read_in_the_readers_language(client, reviewer, report):
    factories.IrregularityFactory(
        mission=report.mission,
        category=factories.category("pre_marked_ballots"),
        status=Irregularity.Status.REPORTED,
    )
    client.force_login(reviewer)
    queue = reverse("observation:review_queue", args=[report.mission.pk])

    assert "Pre-marked ballots" in visible_text(client.get(queue))
    assert "Boletas marcadas de antemano" in visible_text(
        client.get(queue, headers={"accept-language": "es"})
    )


def test_a_renamed_category_shows_as_written(db):
    category = factories.category("other")
    category.name = "Otros incidentes"
    category.save()
    assert str(category) == "Otros incidentes"


# --- What the application writes on the irregularities it raises ------------------


def test_an_overvote_raised_from_a_spanish_save_reads_in_each_readers_language(
    client, reviewer, staff, lima
):
    with translation.override("es"):
        report = factories.ObserverReportFactory(
            mission=lima["mission"],
            round=lima["round"],
            station=lima["station"],
            observer=lima["observer"],
            ballots_cast=1300,
            saved_by=staff,
        )
    overvote = report.irregularities.get(raised_by_system=True)
    client.force_login(reviewer)

    english = visible_text(client.get(overvote.get_absolute_url()))
    spanish = visible_text(
        client.get(overvote.get_absolute_url(), headers={"accept-language": "es"})
    )

    assert "1,300 ballots cast at station LIM-001, which has 1,234 registered voters" in english
    assert "66 more than could have voted" in english
    assert "votos" not in english
    assert "1.300" in spanish and "1.234" in spanish and "LIM-001" in spanish
    assert "ballots cast" not in spanish
    # Search and the admin read the site's language, whoever saved.
    assert overvote.description.startswith("1,300 ballots cast at station LIM-001")


def test_an_answer_raised_irregularity_reads_in_each_readers_language(
    client, reviewer, staff, lima
):
    question = factories.QuestionFactory(
        checklist=factories.ChecklistFactory(mission=lima["mission"]),
        code="secrecy",
        labels={
            "en": "Was the secrecy of the vote ensured?",
            "es": "¿Se garantizó el voto secreto?",
        },
        raises=factories.category("intimidation"),
        raises_severity=Irregularity.Severity.SERIOUS,
    )
    report = factories.ObserverReportFactory(
        mission=lima["mission"],
        round=lima["round"],
        station=lima["station"],
        observer=lima["observer"],
        saved_by=staff,
        answers={question.code: "no"},
    )
    raised = report.irregularities.get(question=question)
    client.force_login(reviewer)
    queue = reverse("observation:review_queue", args=[lima["mission"].pk])

    english = visible_text(client.get(queue))
    spanish = visible_text(client.get(queue, headers={"accept-language": "es"}))

    assert "“No” to “Was the secrecy of the vote ensured?” at station LIM-001" in english
    assert "«No» a «¿Se garantizó el voto secreto?» en la mesa LIM-001" in spanish
    assert raised.facts["texts"]["es"]["question"] == "¿Se garantizó el voto secreto?"


# --- Statements in two languages ---------------------------------------------------


def test_a_statement_is_drafted_with_its_spanish_version(client, reviewer, mission):
    client.force_login(reviewer)
    data = statement_data(
        title_es="Declaración preliminar", body_es="La misión observó **ánforas**."
    )

    client.post(reverse("observation:statement_create", args=[mission.pk]), data)

    statement = FindingsStatement.objects.get()
    assert statement.title_es == "Declaración preliminar"
    assert statement.body_es == "La misión observó **ánforas**."


def test_a_spanish_body_with_active_content_is_refused(client, reviewer, mission):
    client.force_login(reviewer)
    data = statement_data(body_es='<img src="x" onerror="alert(1)">')

    response = client.post(reverse("observation:statement_create", args=[mission.pk]), data)

    assert response.status_code == 200
    assert "not active content" in " ".join(response.context["form"].errors["body_es"])
    assert not FindingsStatement.objects.exists()


def published(leader, **fields):
    statement = factories.FindingsStatementFactory(**fields)
    statement.submit_for_review(by=leader)
    statement.approve(by=leader)
    statement.publish(by=leader)
    return statement


@pytest.fixture
def bilingual(mission, leader):
    return published(
        leader,
        mission=mission,
        title="Preliminary statement",
        body="The mission saw **pre-marked ballots**.",
        title_es="Declaración preliminar",
        body_es="La misión vio **boletas marcadas de antemano**.",
    )


def test_a_statement_in_both_languages_shows_both_on_its_page(client, staff, bilingual):
    client.force_login(staff)
    for language in ("en", "es"):
        text = visible_text(
            client.get(bilingual.get_absolute_url(), headers={"accept-language": language})
        )
        assert "The mission saw pre-marked ballots" in text
        assert "La misión vio boletas marcadas de antemano" in text


def test_the_summary_prints_the_readers_language_when_written(client, staff, leader, bilingual):
    english_only = published(leader, mission=bilingual.mission, title="Final report")
    client.force_login(staff)
    url = reverse("observation:mission_public_summary", args=[bilingual.mission.pk])

    english = visible_text(client.get(url, headers={"accept-language": "en"}))
    spanish = visible_text(client.get(url, headers={"accept-language": "es"}))

    assert "Preliminary statement" in english
    assert "Declaración preliminar" not in english
    assert "Declaración preliminar" in spanish
    assert english_only.title in spanish


def test_the_spanish_pdf_summary_keeps_accents_and_enye(client, staff, bilingual, report):
    person = report.observer.person
    person.full_name = "Ana María Peña"
    person.save()
    client.force_login(staff)

    response = client.get(
        reverse("observation:mission_summary_pdf", args=[bilingual.mission.pk]),
        headers={"accept-language": "es"},
    )

    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Perú 2000" in text
    assert "Declaración preliminar" in text
    assert "Ana María Peña" in text
    assert "Resumen de la misión" in text
    assert "Observación completa" in text
    assert "9 abr 2000" in text


def test_preferences_name_their_user(staff):
    assert str(Preferences(user=staff, language="es")) == str(staff)
