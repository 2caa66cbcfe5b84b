"""What the pages' fast paths render: choice labels translated one at a time, and
select options written in place (templates/django/forms/widgets/select.html)."""

import datetime
import decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, TemplatesSetting
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from observation.models import ElectionRound, ObserverReport
from tests import factories


@pytest.mark.django_db
def test_a_choice_label_is_in_the_readers_language():
    report = factories.ObserverReportFactory.build(phase="closing", assessment="")

    with translation.override("es"):
        assert report.get_phase_display() == "Cierre"
        assert str(ElectionRound(kind=ElectionRound.Kind.RUNOFF).get_kind_display()) == (
            "Segunda vuelta"
        )
    assert report.get_phase_display() == "Closing"
    # A value outside the choices shows as stored, as Django's own does.
    assert report.get_assessment_display() == ""
    assert ObserverReport(phase="recount").get_phase_display() == "recount"


def test_a_select_writes_its_options_as_django_does_one_to_a_line():
    class Choosing(forms.Form):
        plain = forms.ChoiceField(choices=[("a", "A & B"), ("b", "<b>")], disabled=True)
        grouped = forms.MultipleChoiceField(
            choices=[("Lima", [("0101", "Escuela 1")]), ("Cusco", [("0202", "Escuela 2")])]
        )

    form = Choosing(initial={"plain": "b", "grouped": ["0202"]})

    assert str(form["plain"]) == (
        '<select name="plain" disabled id="id_plain">\n'
        '  <option value="a">A &amp; B</option>\n'
        '  <option value="b" selected>&lt;b&gt;</option>\n'
        "</select>"
    )
    assert str(form["grouped"]) == (
        '<select name="grouped" required id="id_grouped" multiple>\n'
        '  <optgroup label="Lima">\n'
        '  <option value="0101">Escuela 1</option>\n'
        "  </optgroup>\n"
        '  <optgroup label="Cusco">\n'
        '  <option value="0202" selected>Escuela 2</option>\n'
        "  </optgroup>\n"
        "</select>"
    )


def test_options_of_another_template_are_still_included():
    class Described(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    html = Described(choices=[("a", "A")]).render("pick", "a")

    # input_option.html writes a label around an input: included, not written in place.
    assert '<label><input type="select" name="pick" value="a" selected>\n A</label>' in html


class _OtherOption(forms.Select):
    option_template_name = "django/forms/widgets/input_option.html"


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    "widget, value",
    [
        (forms.Select(choices=[('a"<b>&', "<script>alert(1)</script>&amp;")]), 'a"<b>&'),
        (forms.Select(choices=[("G<1>", [(None, "—"), ("b", "B")]), ("c", "C")]), "b"),
        (forms.Select(choices=[(1, 1234567), (2, 1.5), (3, decimal.Decimal("1234.5"))]), 2),
        (
            forms.Select(choices=[(datetime.date(2000, 4, 9), [("d", datetime.date(2000, 4, 9))])]),
            "d",
        ),
        (forms.Select(attrs={"data-x": '"<>&', "required": True, "disabled": False}), None),
        (forms.SelectMultiple(choices=[("a", _("Closing")), ("b", mark_safe("<b>B</b>"))]), ["a"]),
        (forms.NullBooleanSelect(), True),
        (_OtherOption(choices=[("a", "A")]), "a"),
    ],
)
def test_a_select_writes_what_djangos_own_templates_write(widget, value, language):
    with translation.override(language):
        ours = widget.render("pick", value, renderer=TemplatesSetting())
        djangos = widget.render("pick", value, renderer=DjangoTemplates())

    # Django's option template ends with a line break: ours writes an option to a line.
    assert ours == djangos.replace("</option>\n", "</option>")
