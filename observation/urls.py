from django.urls import include, path

from observation.imports import DelegationImporter, DeploymentImporter, StationImporter
from observation.views import (
    checklists,
    election_day,
    follow_up,
    irregularities,
    jobs,
    lists,
    missions,
    reports,
    statements,
    summary,
    transfer,
)

app_name = "observation"


def _import_urls(prefix: str, name: str, kind: str) -> list:
    """The pages of one kind of import: the upload and its preview, the columns step,
    the confirmation, its problems as CSV, and the empty template to fill in."""
    kind_of = {"kind": kind}
    return [
        path(f"{prefix}/import/", transfer.import_page, kind_of, name=f"{name}_import"),
        path(
            f"{prefix}/import/confirm/",
            transfer.import_confirm,
            kind_of,
            name=f"{name}_import_confirm",
        ),
        path(
            f"{prefix}/import/columns/",
            transfer.import_columns,
            kind_of,
            name=f"{name}_import_columns",
        ),
        path(
            f"{prefix}/import/problems.csv",
            transfer.import_errors,
            kind_of,
            name=f"{name}_import_errors",
        ),
        path(
            f"{prefix}/import/template.<str:fmt>",
            transfer.import_template,
            kind_of,
            name=f"{name}_import_template",
        ),
    ]


mission_patterns = [
    path("", missions.mission_detail, name="mission_detail"),
    path("lock/", missions.mission_lock, name="mission_lock"),
    path("unlock/", missions.mission_unlock, name="mission_unlock"),
    path("members/", missions.membership_list, name="membership_list"),
    path("members/invite/", missions.membership_invite, name="membership_invite"),
    path("members/observers/invite/", missions.observer_invite, name="observer_invite"),
    path(
        "members/<int:membership_pk>/api-key/",
        missions.membership_token,
        name="membership_token",
    ),
    path("members/<int:membership_pk>/role/", missions.membership_role, name="membership_role"),
    path(
        "members/<int:membership_pk>/remove/",
        missions.membership_remove,
        name="membership_remove",
    ),
    path("election-day/", election_day.election_day, name="election_day"),
    *_import_urls("deployment", "deployment", DeploymentImporter.kind),
    path("deployment/export.<str:fmt>", transfer.deployment_export, name="deployment_export"),
    path("rounds/<int:round_pk>/progress/", election_day.round_progress, name="round_progress"),
    path(
        "rounds/<int:round_pk>/progress.json",
        election_day.round_progress_json,
        name="round_progress_json",
    ),
    path("rounds/<int:round_pk>/map/", election_day.round_map, name="round_map"),
    path("rounds/<int:round_pk>/map.json", election_day.round_map_json, name="round_map_json"),
    path("rounds/<int:round_pk>/deployment/", election_day.deployment, name="round_deployment"),
    path(
        "rounds/<int:round_pk>/deployment/<int:deployment_pk>/remove/",
        election_day.deployment_remove,
        name="deployment_remove",
    ),
    path("rounds/<int:round_pk>/deadlines/", election_day.deadlines, name="round_deadlines"),
    path("outlines/", election_day.outlines, name="outlines"),
    path("outlines.geojson", election_day.outlines_json, name="outlines_json"),
    path("outlines/<int:level>/remove/", election_day.outlines_remove, name="outlines_remove"),
    path("alerts/", election_day.alert_list, name="alerts"),
    path("exports/", jobs.export_start, name="export_start"),
    path("summary/pdf/", jobs.summary_pdf_start, name="summary_pdf_start"),
    path("jobs/<int:job_pk>/", jobs.job_detail, name="job_detail"),
    path("jobs/<int:job_pk>.json", jobs.job_json, name="job_json"),
    path("jobs/<int:job_pk>/download/", jobs.job_download, name="job_download"),
    path("alerts/email/", election_day.alert_email, name="alert_email"),
    path(
        "alerts/<int:alert_pk>/acknowledge/",
        election_day.alert_acknowledge,
        name="alert_acknowledge",
    ),
    path("summary/", summary.mission_summary, name="mission_summary"),
    path("summary.pdf", summary.mission_summary_pdf, name="mission_summary_pdf"),
    path("summary/public/", summary.mission_public_summary, name="mission_public_summary"),
    path(
        "summary/public.pdf",
        summary.mission_public_summary_pdf,
        name="mission_public_summary_pdf",
    ),
    path("stations/", lists.station_list, name="station_list"),
    path("stations/<int:station_pk>/", lists.station_detail, name="station_detail"),
    *_import_urls("stations", "station", StationImporter.kind),
    path("stations/export.<str:fmt>", transfer.station_export, name="station_export"),
    *_import_urls("delegation", "delegation", DelegationImporter.kind),
    path("follow-up/", follow_up.follow_up, name="follow_up"),
    path("follow-up/export.<str:fmt>", follow_up.follow_up_export, name="follow_up_export"),
    path(
        "follow-up/<int:recommendation_pk>/assess/",
        follow_up.recommendation_assess,
        name="recommendation_assess",
    ),
    path("reports/", lists.report_list, name="report_list"),
    path("reports/export.<str:fmt>", transfer.report_export, name="report_export"),
    path("irregularities/", lists.irregularity_list, name="irregularity_list"),
    path(
        "irregularities/export.<str:fmt>",
        transfer.irregularity_export,
        name="irregularity_export",
    ),
    path("checklists/", checklists.checklist_list, name="checklist_list"),
    path("checklists/upload/", checklists.checklist_upload, name="checklist_upload"),
    path("checklists/apply/", checklists.checklist_apply, name="checklist_apply"),
    path("checklists/adopt/", checklists.checklist_adopt, name="checklist_adopt"),
    path("checklists/<int:checklist_pk>/", checklists.checklist_detail, name="checklist_detail"),
    path(
        "checklists/<int:checklist_pk>/xlsform.xlsx",
        checklists.checklist_download,
        name="checklist_download",
    ),
    path(
        "questions/<int:question_pk>/retire/",
        checklists.question_retire,
        name="question_retire",
    ),
    path("stations/search/", reports.station_search, name="station_search"),
    path("reports/new/", reports.report_create, name="report_create"),
    path("reports/<int:report_pk>/", reports.report_detail, name="report_detail"),
    path("reports/<int:report_pk>/edit/", reports.report_edit, name="report_edit"),
    path("irregularities/new/", irregularities.irregularity_create, name="irregularity_create"),
    path("irregularities/review/", irregularities.review_queue, name="review_queue"),
    path(
        "irregularities/<int:irregularity_pk>/",
        irregularities.irregularity_detail,
        name="irregularity_detail",
    ),
    path(
        "irregularities/<int:irregularity_pk>/photos/<int:photo_pk>/",
        irregularities.irregularity_photo,
        name="irregularity_photo",
    ),
    path(
        "irregularities/<int:irregularity_pk>/review/",
        irregularities.irregularity_review,
        name="irregularity_review",
    ),
    path(
        "irregularities/<int:irregularity_pk>/reopen/",
        irregularities.irregularity_reopen,
        name="irregularity_reopen",
    ),
    path("statements/", statements.statement_list, name="statement_list"),
    path("statements/new/", statements.statement_create, name="statement_create"),
    path("statements/<int:statement_pk>/", statements.statement_detail, name="statement_detail"),
    path("statements/<int:statement_pk>/edit/", statements.statement_edit, name="statement_edit"),
    path(
        "statements/<int:statement_pk>/<slug:action>/",
        statements.statement_transition,
        name="statement_transition",
    ),
]

urlpatterns = [
    path("", missions.mission_list, name="mission_list"),
    path("<int:pk>/", include(mission_patterns)),
]
