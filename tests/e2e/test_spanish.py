"""A member of the mission works in Spanish: every label we wrote reads in Spanish."""

import gettext
import re

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from observation.models import MissionMembership, ObserverReport
from tests import factories
from tests.e2e.conftest import member

CATALOGUE = settings.BASE_DIR / "locale" / "es" / "LC_MESSAGES" / "django.mo"
# What the reader sees as labels, headings, buttons, links and choices.
LABELS = "label, legend, th, dt, button, a, h1, h2, h3, h4, option, .nav-link"


def english_messages() -> tuple[set[str], set[str]]:
    """Our messages whose Spanish differs from the English, without placeholders:
    the short ones (one or two words), matched against whole labels, and the
    longer ones, matched anywhere on the page."""
    with CATALOGUE.open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog
    messages = set()
    for key, spanish in catalogue.items():
        english = key[0] if isinstance(key, tuple) else key
        if "\x04" in english:  # a message with a context
            english = english.split("\x04", 1)[1]
        if english and spanish != english and "%" not in english and "{" not in english:
            messages.add(english.strip())
    short = {message for message in messages if len(message.split()) <= 2}
    return short, messages - short


def assert_no_english(page):
    short, long = english_messages()
    labels = page.evaluate(
        """selector => Array.from(document.querySelectorAll(selector))
            .filter(element => !element.closest('#language-switcher'))
            .map(element => element.innerText.trim())""",
        LABELS,
    )
    english_labels = sorted({label for label in labels if label in short})
    text = page.locator("main").inner_text()
    english_text = sorted(
        message for message in long if re.search(rf"\b{re.escape(message)}\b", text)
    )
    assert english_labels == [] and english_text == [], (page.url, english_labels, english_text)


def test_member_switches_to_spanish_and_logs_a_report(page, sign_in, peru):
    mission = peru["mission"]
    # Reviewers log reports too, and they alone open the review queue.
    sign_in(member(mission, MissionMembership.Role.REVIEWER))
    page.goto(reverse("observation:mission_detail", args=[mission.pk]))
    page.locator("#language-switcher").get_by_role("button", name="Español").click()

    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert_no_english(page)
    page.get_by_role("link", name="Registrar un reporte").click()
    assert_no_english(page)

    with translation.override("es"):
        page.get_by_label("Vuelta").select_option(label=str(peru["round"]))
    page.get_by_label("Mesa de votación (código)").fill("AYA-0042")
    page.get_by_label("Equipo de observación").select_option(label="Jennie Lincoln")
    page.get_by_label("Fase").select_option(label="Escrutinio")
    page.get_by_label("Llegada (hora de UTC)").fill("2000-04-09T16:00")
    page.get_by_label("Votos emitidos").fill("412")
    page.get_by_label("Evaluación general").select_option(label="Muy mala")
    page.get_by_role("button", name="Guardar reporte").click()

    expect(
        page.get_by_text("se generó una irregularidad por más votos que electores hábiles")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text("9 abr 2000, 16:00 (hora de UTC)")
    assert_no_english(page)
    assert ObserverReport.objects.get().ballots_cast == 412

    page.get_by_role("link", name="Bandeja de revisión").click()
    expect(
        page.locator(".queue-item").get_by_text("Más votos que electores hábiles").first
    ).to_be_visible()
    assert_no_english(page)

    page.get_by_role("link", name="Resumen", exact=True).click()
    expect(page.get_by_role("heading", name=mission.name)).to_be_visible()
    expect(page.locator("main")).to_contain_text("1 de 1 mesas de votación visitadas")
    assert_no_english(page)


def test_the_choice_of_language_is_kept_for_the_next_sign_in(page, sign_in, peru):
    user = member(peru["mission"], MissionMembership.Role.STAFF)
    sign_in(user)
    page.locator("#language-switcher").get_by_role("button", name="Español").click()
    page.get_by_role("button", name="Cerrar sesión").click()
    page.context.clear_cookies()

    page.goto(reverse("login"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", name="Sus misiones")).to_be_visible()
