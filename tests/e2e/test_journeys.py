import re
from pathlib import Path

from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from observation.models import FindingsStatement, Irregularity, MissionMembership
from tests import factories
from tests.e2e.conftest import member


def overvote_for(peru):
    report = factories.ObserverReportFactory(
        mission=peru["mission"],
        round=peru["round"],
        station=peru["station"],
        observer=peru["observer"],
        ballots_cast=412,
        saved_by=factories.UserFactory(),
    )
    return report.irregularities.get(raised_by_system=True)


def test_staff_logs_an_overvote_report_with_an_irregularity(page, sign_in, peru):
    mission = peru["mission"]
    sign_in(member(mission, MissionMembership.Role.STAFF))
    page.goto(reverse("observation:mission_detail", args=[mission.pk]))
    page.get_by_role("link", name="Log a report").click()

    page.get_by_label("Round").select_option(label=str(peru["round"]))
    page.get_by_label("Polling station (code)").fill("AYA-0042")
    page.get_by_label("Observer team").select_option(label="Jennie Lincoln")
    page.get_by_label("Phase").select_option(label="Counting")
    page.get_by_label("Ballots cast").fill("412")
    page.get_by_label("Overall assessment").select_option(label="Very bad")

    page.get_by_role("button", name="Add another irregularity").click()
    rows = page.locator("#irregularity-forms fieldset")
    expect(rows).to_have_count(2)
    second = rows.nth(1)
    second.get_by_label("Category").select_option(label="Intimidation by police or military")
    second.get_by_label("Severity").select_option(label="Serious")
    second.get_by_label("Evidence").select_option(label="Observed directly")
    second.get_by_label("Description").fill("Police inside the station during the count.")

    page.get_by_role("button", name="Save report").click()

    expect(page.get_by_text("an overvote irregularity was raised for review")).to_be_visible()
    expect(page.get_by_role("link", name="Intimidation by police or military")).to_be_visible()
    expect(
        page.get_by_role("link", name="More ballots cast than registered voters")
    ).to_be_visible()
    assert Irregularity.objects.filter(report__station=peru["station"]).count() == 2


def test_reviewer_verifies_the_overvote_from_the_queue(page, sign_in, peru):
    mission = peru["mission"]
    overvote = overvote_for(peru)
    sign_in(member(mission, MissionMembership.Role.REVIEWER))
    page.goto(reverse("observation:mission_detail", args=[mission.pk]))
    page.get_by_role("link", name="Review queue").click()

    item = page.locator(f".queue-item[data-irregularity='{overvote.pk}']")
    item.get_by_label("Review note").fill("Tally sheet photographed by the team.")
    item.get_by_role("button", name="Verify").click()
    page.get_by_role("dialog").get_by_role("button", name="Verify").click()

    # Decided in place: the item shows its result; the queue, reloaded, is clear.
    expect(item.get_by_text("Irregularity verified")).to_be_visible()
    page.reload()
    expect(page.get_by_text("The queue is clear.")).to_be_visible()
    overvote.refresh_from_db()
    assert overvote.status == Irregularity.Status.VERIFIED
    assert overvote.review_note == "Tally sheet photographed by the team."


def test_statement_from_draft_to_published(page, sign_in, peru, superuser):
    mission = peru["mission"]
    overvote = overvote_for(peru)
    overvote.verify(by=superuser, note="Confirmed.")
    leader = member(mission, MissionMembership.Role.LEADER)
    reviewer = member(mission, MissionMembership.Role.REVIEWER)

    # A reviewer drafts; a leader, who did not write it, approves (four eyes).
    sign_in(reviewer)
    page.goto(reverse("observation:statement_list", args=[mission.pk]))
    page.get_by_role("link", name="Draft a statement").click()
    page.get_by_label("Kind").select_option(label="Preliminary statement")
    page.locator("#id_title").fill("Preliminary statement on the 9 April vote")
    page.get_by_label("Date").fill("2000-04-10")
    page.locator("#id_body").fill("More ballots than voters at **AYA-0042**.")
    page.get_by_label(re.compile("More ballots cast than registered voters")).check()
    recommendation = page.locator("#recommendation-forms fieldset").first
    recommendation.get_by_label("Addressee").select_option(label="Election authority")
    recommendation.get_by_label("Recommendation").fill("Publish results by polling station.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    statement_url = page.url
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#statement-status")).to_have_text("In review")

    page.get_by_role("button", name="Sign out").click()
    sign_in(leader)
    page.goto(statement_url)
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#statement-status")).to_have_text("Approved")
    page.get_by_role("button", name="Publish").click()
    page.get_by_role("dialog").get_by_role("button", name="Publish").click()

    expect(page.locator("#statement-status")).to_have_text("Published")
    expect(page.locator("#published-note")).to_contain_text(f"Approved by {leader.username}")
    expect(page.get_by_role("link", name="Edit draft")).to_have_count(0)
    expect(page.get_by_role("button", name="Return to draft")).to_have_count(0)
    statement = FindingsStatement.objects.get()
    assert statement.is_published
    assert list(statement.cited_irregularities.all()) == [overvote]


def test_stranger_gets_not_found_for_the_mission(page, sign_in, peru):
    sign_in(factories.MissionMembershipFactory().user)
    response = page.goto(reverse("observation:mission_detail", args=[peru["mission"].pk]))
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.get_by_text(peru["mission"].name)).to_have_count(0)


def test_member_prints_the_summary_and_downloads_the_pdf(page, sign_in, peru, superuser):
    mission = peru["mission"]
    overvote = overvote_for(peru)
    overvote.verify(by=superuser, note="Confirmed.")
    statement = factories.FindingsStatementFactory(
        mission=mission, title="Preliminary statement on the 9 April vote"
    )
    statement.submit_for_review(by=superuser)
    statement.approve(by=superuser)
    statement.publish(by=superuser)

    sign_in(member(mission, MissionMembership.Role.STAFF))
    page.goto(reverse("observation:mission_detail", args=[mission.pk]))
    page.get_by_role("link", name="Summary", exact=True).click()

    expect(page.get_by_role("heading", name=mission.name)).to_be_visible()
    expect(page.get_by_text("Preliminary statement on the 9 April vote")).to_be_visible()
    expect(page.locator("body")).to_contain_text("AYA-0042")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    pdf = Path(download_info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")


def test_dialogue_editor_adds_a_session_to_the_forum(page, sign_in):
    forum = factories.DialogueForumFactory(name="Andean-U.S. Dialogue Forum")
    factories.DialogueSessionFactory(forum=forum, sequence=1, city="Atlanta", country="US")
    editor = factories.UserFactory()
    editor.groups.add(Group.objects.get(name="Dialogue editors"))

    sign_in(editor)
    page.get_by_role("link", name="Dialogues").click()
    page.get_by_role("link", name="Andean-U.S. Dialogue Forum").click()
    page.get_by_role("link", name="Add a session").click()
    expect(page.get_by_label("Number")).to_have_value("2")
    page.get_by_label("City").fill("Lima")
    page.get_by_label("Country").select_option(label="Peru")
    page.get_by_label("Topic").fill("A common agenda for the six countries")
    page.get_by_role("button", name="Save").click()

    page.goto(reverse("dialogues:forum_detail", args=[forum.pk]))
    timeline = page.locator("ol.list-group").first
    expect(timeline.locator("li")).to_have_count(2)
    expect(timeline).to_contain_text("Lima, Peru")
    expect(timeline).to_contain_text("date not known")
