"""A new report's blank irregularity rows (the one shown and the one "Add another
irregularity" copies) are rendered once per language and list of categories, then served
as rendered: the same markup as rendering them each time, a renamed category shown at
once, and rows with values, errors or a stored report always rendered afresh."""

import re

import pytest
from crispy_forms.utils import render_crispy_form
from django.urls import reverse

from observation import forms
from observation.models import IrregularityCategory, ObserverReport
from tests import factories
from tests.observation.rendered import comparable

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("nothing_rendered_yet")]


def _rows() -> list[str]:
    return [key for key in forms._RENDERED if ":irregularities-" in key]


def _page(client, url, **headers) -> str:
    return comparable(client.get(url, headers=headers))


def _new(mission) -> str:
    return reverse("observation:report_create", args=[mission.pk])


def test_the_rows_served_as_rendered_are_those_rendered_each_time(
    staff_client, mission, setting, monkeypatch
):
    with monkeypatch.context() as each_time:
        each_time.setattr(forms, "blank_row_key", lambda form: None)
        rendered = _page(staff_client, _new(mission))
        assert _rows() == []

    first = _page(staff_client, _new(mission))
    assert len(_rows()) == 2
    drawn = []
    with monkeypatch.context() as watched:
        draw = forms.RenderedOnce.get_rendered_fields
        watched.setattr(
            forms.RenderedOnce,
            "get_rendered_fields",
            lambda self, *args, **kwargs: drawn.append(self) or draw(self, *args, **kwargs),
        )
        served = _page(staff_client, _new(mission))

    # Served as kept: neither the rows nor the checklist drawn again.
    assert drawn == []
    assert served == rendered == first
    for prefix in ("irregularities-0", "irregularities-__prefix__"):
        # Each field once: the rest of the row does not render it again.
        assert served.count(f'name="{prefix}-category"') == 1
        assert served.count(f'name="{prefix}-description"') == 1
    assert "Pre-marked ballots" in served


def test_a_renamed_category_shows_at_once(staff_client, mission, setting):
    _page(staff_client, _new(mission))
    category = IrregularityCategory.objects.get(code="pre_marked_ballots")
    category.name = "Ballots marked before voting"
    category.save()

    page = _page(staff_client, _new(mission))

    assert "Ballots marked before voting" in page
    assert "Pre-marked ballots" not in page
    assert len(_rows()) == 4


def test_each_language_has_its_own(staff_client, mission, setting):
    english = _page(staff_client, _new(mission))
    spanish = _page(staff_client, _new(mission), accept_language="es")

    assert "Pre-marked ballots" in english and "Boletas marcadas de antemano" not in english
    assert "Boletas marcadas de antemano" in spanish and "Pre-marked ballots" not in spanish
    assert "Severity" in english and "Gravedad" in spanish
    assert len(_rows()) == 4


def test_each_language_has_its_own_even_with_the_same_category_names(
    staff_client, mission, setting
):
    for category in IrregularityCategory.objects.all():
        category.name = f"Category {category.pk}"
        category.save()
    english = _page(staff_client, _new(mission))
    spanish = _page(staff_client, _new(mission), accept_language="es")

    assert "Severity" in english and "Gravedad" not in english
    assert "Gravedad" in spanish and "Severity" not in spanish


def test_each_new_page_has_its_own_submission_id(staff_client, mission, setting):
    ids = [
        re.search(r'name="submission_id" value="([^"]+)"', page).group(1)
        for page in (
            staff_client.get(_new(mission)).content.decode(),
            staff_client.get(_new(mission)).content.decode(),
        )
    ]

    assert ids[0] != ids[1]


def test_a_row_sent_back_with_errors_keeps_its_values(staff_client, mission, setting):
    _page(staff_client, _new(mission))

    response = staff_client.post(
        _new(mission),
        {
            "station": "NO-SUCH-STATION",
            "irregularities-TOTAL_FORMS": "1",
            "irregularities-INITIAL_FORMS": "0",
            "irregularities-0-description": "Police officers inside the polling station.",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Police officers inside the polling station." in html
    assert "Police officers" not in _page(staff_client, _new(mission))


@pytest.fixture
def stored(staff, mission, setting):
    """A stored report with an irregularity: (report, irregularity)."""
    report = factories.ObserverReportFactory(
        mission=mission, round=setting["round"], station=setting["station"], saved_by=staff
    )
    irregularity = factories.IrregularityFactory(
        mission=mission,
        report=report,
        round=setting["round"],
        station=setting["station"],
        description="Ballot box left unsealed.",
    )
    return report, irregularity


def test_an_edited_reports_rows_are_its_own(staff_client, mission, stored):
    report, _irregularity = stored
    _page(staff_client, _new(mission))

    html = _page(staff_client, reverse("observation:report_edit", args=[mission.pk, report.pk]))

    assert "Ballot box left unsealed." in html
    assert f'name="irregularities-1-report" value="{report.pk}"' in html
    assert f'name="irregularities-__prefix__-report" value="{report.pk}"' in html
    assert len(_rows()) == 2


def test_only_a_new_reports_blank_row_is_kept(mission, stored):
    report, irregularity = stored
    blank = forms.ReportIrregularityFormSet(instance=ObserverReport(mission=mission))
    of_stored_report = forms.ReportIrregularityFormSet(instance=report)
    sent = forms.ReportIrregularityFormSet(
        {"irregularities-TOTAL_FORMS": "1", "irregularities-INITIAL_FORMS": "0"},
        instance=ObserverReport(mission=mission),
        prefix="irregularities",
    )

    assert forms.blank_row_key(blank.forms[0]) is not None
    assert forms.blank_row_key(blank.empty_form) is not None
    assert of_stored_report.forms[0].instance == irregularity
    assert forms.blank_row_key(of_stored_report.forms[0]) is None
    assert forms.blank_row_key(of_stored_report.forms[1]) is None
    assert forms.blank_row_key(of_stored_report.empty_form) is None
    assert forms.blank_row_key(sent.forms[0]) is None


def test_a_kept_row_counts_its_fields_as_rendered(mission, setting):
    """crispy-forms draws whatever fields a layout left out; a kept row says it drew all."""

    def rendered_fields():
        formset = forms.ReportIrregularityFormSet(
            instance=ObserverReport(mission=mission), prefix="irregularities"
        )
        row = formset.forms[0]
        render_crispy_form(row, formset.helper)
        return row.rendered_fields

    drawn = rendered_fields()
    kept = rendered_fields()

    assert len(_rows()) == 1
    assert (
        kept
        == drawn
        == {"category", "severity", "evidence", "description", "DELETE", "id", "report"}
    )
