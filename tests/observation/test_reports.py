import uuid

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from observation import services
from observation.models import Irregularity, ObserverReport
from tests import factories


def report_data(setting, **overrides):
    data = {
        "submission_id": str(uuid.uuid4()),
        "round": setting["round"].pk,
        "station": setting["station"].code,
        "observer": setting["observer"].pk,
        "phase": ObserverReport.Phase.COUNTING,
        "arrived_at": "2000-04-09T16:00",
        "departed_at": "2000-04-09T19:30",
        "ballots_cast": "250",
        "assessment": ObserverReport.Assessment.GOOD,
        "answer-opened_on_time": "yes",
        "answer-ballot_boxes_sealed": "yes",
        "answer-secrecy_ensured": "yes",
        "answer-voter_list_available": "yes",
        "answer-unauthorised_persons_present": "no",
        "answer-security_forces_inside": "",
        "notes": "Counting orderly.",
        "irregularities-TOTAL_FORMS": "1",
        "irregularities-INITIAL_FORMS": "0",
        "irregularities-MIN_NUM_FORMS": "0",
        "irregularities-MAX_NUM_FORMS": "1000",
        "irregularities-0-category": "",
        "irregularities-0-severity": "",
        "irregularities-0-evidence": "",
        "irregularities-0-description": "",
    }
    data.update(overrides)
    return data


def with_irregularity(data, index=0, **fields):
    category = factories.category(fields.pop("code", "intimidation"))
    data.update(
        {
            f"irregularities-{index}-category": category.pk,
            f"irregularities-{index}-severity": fields.get("severity", "serious"),
            f"irregularities-{index}-evidence": fields.get("evidence", "observed"),
            f"irregularities-{index}-description": fields.get(
                "description", "Police inside the station during the count."
            ),
        }
    )
    data["irregularities-TOTAL_FORMS"] = str(
        max(int(data["irregularities-TOTAL_FORMS"]), index + 1)
    )
    return data


def create_url(mission):
    return reverse("observation:report_create", args=[mission.pk])


def test_staff_logs_report_with_irregularity_and_overvote_is_raised(
    client, staff, mission, setting
):
    client.force_login(staff)
    data = with_irregularity(report_data(setting, ballots_cast="412"))
    response = client.post(create_url(mission), data, follow=True)

    report = ObserverReport.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "observation:report_detail", args=[mission.pk, report.pk]
    )
    assert report.entered_by == staff
    assert report.ballots_cast == 412
    assert dict(report.answers.values_list("question__code", "value")) == {
        "opened_on_time": "yes",
        "ballot_boxes_sealed": "yes",
        "secrecy_ensured": "yes",
        "voter_list_available": "yes",
        "unauthorised_persons_present": "no",
    }
    hand, system = (
        report.irregularities.filter(raised_by_system=False).get(),
        report.irregularities.filter(raised_by_system=True).get(),
    )
    assert hand.category.code == "intimidation"
    assert (hand.station, hand.round, hand.reported_by) == (
        setting["station"],
        setting["round"],
        staff,
    )
    assert system.category.code == "overvote"
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("overvote irregularity was raised" in m for m in messages)


def test_report_without_overvote_says_nothing_of_one(client, staff, mission, setting):
    client.force_login(staff)
    response = client.post(create_url(mission), report_data(setting), follow=True)
    assert ObserverReport.objects.count() == 1
    assert not Irregularity.objects.exists()
    assert b"overvote irregularity" not in response.content


def test_the_same_form_submitted_twice_creates_one_report(client, staff, mission, setting):
    client.force_login(staff)
    data = report_data(setting)
    first = client.post(create_url(mission), data)
    second = client.post(create_url(mission), data, follow=True)

    report = ObserverReport.objects.get()
    assert first["Location"] == reverse("observation:report_detail", args=[mission.pk, report.pk])
    assert second.redirect_chain[-1][0] == first["Location"]
    assert "already saved" in second.content.decode()


def test_new_report_form_carries_a_fresh_submission_id(client, staff, mission, setting):
    client.force_login(staff)
    ids = {
        client.get(create_url(mission)).context["form"]["submission_id"].value() for _ in range(2)
    }
    assert len(ids) == 2


def test_a_failure_on_the_second_irregularity_leaves_no_report(
    client, staff, mission, setting, monkeypatch
):
    client.force_login(staff)
    data = with_irregularity(report_data(setting), 0)
    data = with_irregularity(data, 1, code="vote_buying", description="Second one fails.")
    calls = {"n": 0}
    original_save = Irregularity.save

    def failing_save(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Irregularity, "save", failing_save)
    client.raise_request_exception = False
    response = client.post(create_url(mission), data)
    assert response.status_code == 500
    assert not ObserverReport.objects.exists()
    assert not Irregularity.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ballots_cast": "-5"}, "ballots_cast", "greater than or equal to 0"),
        ({"ballots_cast": "many"}, "ballots_cast", "Enter a whole number"),
        (
            {"arrived_at": "2000-04-09T18:00", "departed_at": "2000-04-09T17:00"},
            "departed_at",
            "Departure cannot be before arrival",
        ),
        ({"station": "NOPE-999"}, "station", "no polling station with this code in this mission"),
        ({"round": "999999"}, "round", "Choose one of this mission"),
        ({"observer": "999999"}, "observer", "Choose an observer from this mission"),
        # A hidden field's error shows among the form's own.
        ({"submission_id": ""}, "__all__", "This field is required"),
    ],
)
def test_report_form_rejects_bad_input_and_saves_nothing(
    client, staff, mission, setting, overrides, field, message
):
    client.force_login(staff)
    response = client.post(create_url(mission), report_data(setting, **overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not ObserverReport.objects.exists()


def test_report_form_refuses_station_round_and_observer_of_another_mission(
    client, staff, mission, setting
):
    other = factories.MissionFactory()
    foreign_station = factories.PollingStationFactory(mission=other, code="FOREIGN-1")
    foreign_round = factories.ElectionRoundFactory(mission=other)
    foreign_observer = factories.DelegationMemberFactory(mission=other)
    client.force_login(staff)
    response = client.post(
        create_url(mission),
        report_data(
            setting,
            station=foreign_station.code,
            round=foreign_round.pk,
            observer=foreign_observer.pk,
        ),
    )
    errors = response.context["form"].errors
    assert set(errors) >= {"station", "round", "observer"}
    assert not ObserverReport.objects.exists()


def test_irregularity_row_with_missing_fields_is_refused(client, staff, mission, setting):
    client.force_login(staff)
    data = report_data(setting)
    data["irregularities-0-description"] = "Something happened."
    response = client.post(create_url(mission), data)
    formset = response.context["formset"]
    assert "category" in formset.forms[0].errors
    assert not ObserverReport.objects.exists()


def test_locked_mission_refuses_a_new_report(client, staff, mission, setting, superuser):
    mission.lock(by=superuser)
    client.force_login(staff)
    response = client.post(create_url(mission), report_data(setting))
    assert response.status_code == 403
    assert "is locked: its records can no longer be changed" in response.content.decode()
    assert not ObserverReport.objects.exists()


def test_locked_mission_refuses_an_edit(client, staff, mission, setting, superuser):
    report = factories.ObserverReportFactory(
        mission=mission, round=setting["round"], station=setting["station"], ballots_cast=100
    )
    mission.lock(by=superuser)
    client.force_login(staff)
    url = reverse("observation:report_edit", args=[mission.pk, report.pk])
    data = report_data(setting, ballots_cast="200", version=report.version)
    response = client.post(url, data)
    assert response.status_code == 403
    assert "is locked: its records can no longer be changed" in response.content.decode()
    report.refresh_from_db()
    assert report.ballots_cast == 100


def test_editing_a_report_corrects_its_overvote(client, staff, mission, setting):
    client.force_login(staff)
    client.post(create_url(mission), report_data(setting, ballots_cast="400"))
    report = ObserverReport.objects.get()
    assert report.irregularities.filter(raised_by_system=True).exists()

    url = reverse("observation:report_edit", args=[mission.pk, report.pk])
    form_data = report_data(setting, ballots_cast="280", version=report.version)
    response = client.post(url, form_data, follow=True)
    report.refresh_from_db()
    assert report.ballots_cast == 280
    assert report.version == 2
    assert not report.irregularities.exists()
    assert b"no longer an overvote" in response.content


def test_second_of_two_concurrent_edits_is_refused_and_keeps_its_input(
    client, staff, mission, setting
):
    report = factories.ObserverReportFactory(
        mission=mission, round=setting["round"], station=setting["station"], ballots_cast=100
    )
    url = reverse("observation:report_edit", args=[mission.pk, report.pk])
    client.force_login(staff)
    loaded_version = client.get(url).context["form"]["version"].value()

    first = report_data(setting, ballots_cast="150", notes="First editor.", version=loaded_version)
    second = report_data(
        setting, ballots_cast="175", notes="Second editor.", version=loaded_version
    )
    assert client.post(url, first).status_code == 302
    response = client.post(url, second)

    assert response.status_code == 200
    error = " ".join(response.context["form"].non_field_errors())
    assert "Someone else saved this report" in error
    assert "ballots cast" in error and "notes" in error
    assert response.context["form"]["notes"].value() == "Second editor."
    report.refresh_from_db()
    assert (report.ballots_cast, report.notes) == (150, "First editor.")


def test_report_history_shows_who_changed_what(client, staff, mission, setting):
    client.force_login(staff)
    client.post(create_url(mission), report_data(setting, ballots_cast="100"))
    report = ObserverReport.objects.get()
    url = reverse("observation:report_edit", args=[mission.pk, report.pk])
    client.post(url, report_data(setting, ballots_cast="120", version=report.version))

    response = client.get(reverse("observation:report_detail", args=[mission.pk, report.pk]))
    latest = response.context["history"][0]
    assert latest.who == staff
    assert [(c.field, c.old, c.new) for c in latest.changes] == [("ballots cast", 100, 120)]


def test_stranger_cannot_see_a_report(client, stranger, mission, setting):
    report = factories.ObserverReportFactory(mission=mission, station=setting["station"])
    client.force_login(stranger)
    url = reverse("observation:report_detail", args=[mission.pk, report.pk])
    assert client.get(url).status_code == 404


def test_station_search_finds_by_code_or_name_within_the_mission(client, staff, mission):
    factories.PollingStationFactory(mission=mission, code="AYA-01", name="Colegio Huamanga")
    factories.PollingStationFactory(mission=mission, code="LIM-02", name="Escuela Miraflores")
    factories.PollingStationFactory(code="AYA-99", name="Another mission")
    client.force_login(staff)
    url = reverse("observation:station_search", args=[mission.pk])
    by_code = client.get(url, {"q": "aya"}).json()["results"]
    by_name = client.get(url, {"q": "miraflores"}).json()["results"]
    assert [r["code"] for r in by_code] == ["AYA-01"]
    assert [r["code"] for r in by_name] == ["LIM-02"]


def _form_as_loaded(response):
    """The POST data a browser would send for the page's form, left as it was loaded."""
    form, formset = response.context["form"], response.context["formset"]
    data = {}
    for bound in [*form, *(field for subform in formset for field in subform)]:
        value = bound.value()
        shown = None if value is None else bound.field.widget.format_value(value)
        if isinstance(shown, list):
            data[bound.html_name] = shown
        elif shown is not None:
            data[bound.html_name] = str(shown)
    for name, bound in [(f.html_name, f) for f in formset.management_form]:
        data[name] = str(bound.value())
    return data


def test_an_edit_saved_unchanged_changes_nothing(client, staff, mission, setting):
    factories.PollingStationFactory(mission=mission, code="1")
    report = factories.ObserverReportFactory(
        mission=mission, round=setting["round"], station=setting["station"], ballots_cast=120
    )
    client.force_login(staff)
    url = reverse("observation:report_edit", args=[mission.pk, report.pk])
    page = client.get(url)
    assert page.context["form"]["station"].value() == "LIM-001"

    response = client.post(url, _form_as_loaded(page))
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.station, report.ballots_cast) == (setting["station"], 120)


def test_reviewed_irregularities_are_not_offered_for_editing(
    client, staff, mission, setting, superuser
):
    report = factories.ObserverReportFactory(
        mission=mission, round=setting["round"], station=setting["station"]
    )
    reviewed = factories.IrregularityFactory(
        mission=mission, report=report, round=report.round, station=report.station
    )
    reviewed.verify(by=superuser, note="Seen.")
    open_one = factories.IrregularityFactory(
        mission=mission, report=report, round=report.round, station=report.station
    )
    client.force_login(staff)
    page = client.get(reverse("observation:report_edit", args=[mission.pk, report.pk]))
    offered = [form.instance.pk for form in page.context["formset"].initial_forms]
    assert offered == [open_one.pk]


def test_an_irregularity_id_of_another_report_is_refused(client, staff, mission, setting):
    report = factories.ObserverReportFactory(
        mission=mission, round=setting["round"], station=setting["station"], ballots_cast=120
    )
    foreign = factories.IrregularityFactory(description="Someone else's.")
    data = report_data(setting, version=report.version, ballots_cast="130")
    data.update(
        {
            "irregularities-TOTAL_FORMS": "1",
            "irregularities-INITIAL_FORMS": "1",
            "irregularities-0-id": foreign.pk,
            "irregularities-0-category": factories.category("vote_buying").pk,
            "irregularities-0-severity": "minor",
            "irregularities-0-evidence": "alleged",
            "irregularities-0-description": "Taken over.",
        }
    )
    client.force_login(staff)
    response = client.post(reverse("observation:report_edit", args=[mission.pk, report.pk]), data)
    assert response.status_code == 200
    # The row's id is hidden: the error shows on the row, and on the page.
    refusal = "not one of the report&#x27;s irregularities still open for editing"
    assert response.context["formset"].forms[0].non_field_errors()
    assert refusal in response.content.decode()
    report.refresh_from_db()
    foreign.refresh_from_db()
    assert report.ballots_cast == 120
    assert foreign.description == "Someone else's."


def test_a_mission_locked_while_the_form_is_sent_gets_a_message(
    client, staff, mission, setting, superuser, monkeypatch
):
    original_save = ObserverReport.save

    def lock_first(self, *args, **kwargs):
        if not mission.is_locked:
            mission.lock(by=superuser)
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(ObserverReport, "save", lock_first)
    client.force_login(staff)
    response = client.post(create_url(mission), report_data(setting))
    assert response.status_code == 200
    assert "is locked" in " ".join(response.context["form"].non_field_errors())
    assert not ObserverReport.objects.exists()


def test_a_new_reports_history_record_is_the_one_a_save_writes(staff, mission, setting):
    station = factories.PollingStationFactory(mission=mission)
    values = {
        "mission": mission,
        "round": setting["round"],
        "station": station,
        "phase": ObserverReport.Phase.VOTING,
        "ballots_cast": 120,
        "notes": "Queue of 200 at opening.",
    }
    saved = services.report_save(report=ObserverReport(**values), by=staff).report
    # The same report saved as the admin or a script does: simple_history's own record.
    plain = ObserverReport(entered_by=staff, **values)
    plain._history_user = staff
    plain.save()

    def fields(report):
        (record,) = report.history.all()
        return {
            field.attname: getattr(record, field.attname)
            for field in record._meta.concrete_fields
            if field.attname not in ("id", "history_id", "history_date", "entered_at")
        }

    assert fields(saved) == fields(plain)
    assert fields(saved)["history_type"] == "+"
    assert fields(saved)["history_user_id"] == staff.pk
