"""Admin for findings statements and their recommendations."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from observation import services
from observation.access import STATEMENT_MOVE_ACTIONS
from observation.admin.base import (
    AdminVersionedForm,
    LockAwareHistoryAdmin,
    LockAwareInline,
    MissionFilter,
    apply_move,
    ask_for_note,
)
from observation.forms import StatementForm
from observation.models import (
    FindingsStatement,
    Irregularity,
    Mission,
    Recommendation,
    RecommendationAssessment,
)


class RecommendationInline(LockAwareInline, admin.StackedInline):
    model = Recommendation
    parent_mission_lookup = "mission"
    edit_action = "statement_draft"
    extra = 0

    def parent_is_frozen(self, obj) -> bool:
        # Recommendations are part of what was reviewed; follow-up has its own admin.
        return super().parent_is_frozen(obj) or (obj is not None and not obj.is_editable)


class FindingsStatementAdminForm(AdminVersionedForm, StatementForm):
    class Meta(StatementForm.Meta):
        fields = ["mission", *StatementForm.Meta.fields, "created_by"]
        exclude = ("version",)
        # The admin's own date picker, and citations picked from a search.
        widgets = {}


@admin.register(FindingsStatement)
class FindingsStatementAdmin(LockAwareHistoryAdmin):
    form = FindingsStatementAdminForm
    edit_action = "statement_draft"
    list_display = ("title", "kind", "issued_on", "status", "round", "mission")
    list_filter = ("status", "kind", ("mission", MissionFilter))
    list_select_related = ("round", "mission")
    search_fields = ("title", "body")
    autocomplete_fields = ("mission", "round", "cited_irregularities", "created_by")
    readonly_fields = FindingsStatement.LIFECYCLE_FIELDS
    inlines = (RecommendationInline,)
    date_hierarchy = "issued_on"
    actions = ("submit_for_review", "approve", "publish", "return_to_draft")

    def is_frozen(self, obj) -> bool:
        return super().is_frozen(obj) or (obj is not None and obj.is_published)

    def frozen(self, queryset):
        return super().frozen(queryset) | queryset.published()

    def has_change_permission(self, request, obj=None):
        # Past draft the text is what reviewers saw and leaders approved: it changes only
        # after a return to draft, never between approval and publication.
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "cited_irregularities":
            citable = Irregularity.objects.verified_current()
            if not request.user.is_superuser:
                citable = citable.filter(mission__in=Mission.objects.for_user(request.user))
            kwargs["queryset"] = citable.select_related("category", "station")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # Saved in save_related, with its citations and recommendations, by the service.
        pass

    def save_related(self, request, form, formsets, change):
        # The form's clean() holds the draft at this version, so the service's claim
        # succeeds; if it ever did not, StaleVersion rolls the whole page back.
        services.statement_save(
            statement=form.instance,
            by=request.user,
            version=form.cleaned_data.get("version"),
            save_related=lambda saved: super(FindingsStatementAdmin, self).save_related(
                request, form, formsets, change
            ),
        )

    def _move(self, request, queryset, *, move, done, reason=""):
        apply_move(
            self,
            request,
            queryset,
            move=lambda statement: services.statement_move(
                statement=statement, move=move, by=request.user, reason=reason
            ),
            action=STATEMENT_MOVE_ACTIONS[move],
            done=lambda n: done % {"n": n},
        )

    @admin.action(permissions=["change"], description=_("Submit selected statements for review"))
    def submit_for_review(self, request, queryset):
        self._move(
            request, queryset, move="submit", done=_("Statements submitted for review: %(n)d.")
        )

    @admin.action(permissions=["change"], description=_("Approve selected statements"))
    def approve(self, request, queryset):
        self._move(request, queryset, move="approve", done=_("Statements approved: %(n)d."))

    @admin.action(permissions=["change"], description=_("Publish selected statements"))
    def publish(self, request, queryset):
        self._move(request, queryset, move="publish", done=_("Statements published: %(n)d."))

    @admin.action(
        permissions=["change"], description=_("Return selected statements to draft (with a reason)")
    )
    def return_to_draft(self, request, queryset):
        reason, page = ask_for_note(
            self,
            request,
            queryset,
            action="return_to_draft",
            title=_("Return statements to draft"),
            intro=_("Say why these statements go back to draft. The reason is kept with each."),
            label=_("Why they go back to draft"),
        )
        if page is not None:
            return page
        self._move(
            request,
            queryset,
            move="return",
            reason=reason,
            done=_("Statements returned to draft: %(n)d."),
        )
        return None


class RecommendationAssessmentInline(admin.TabularInline):
    """Follow-up assessments, read here; they are entered on the mission's follow-up page,
    by the same service whoever enters them."""

    model = RecommendationAssessment
    fields = ("status", "assessed_on", "mission", "statement", "evidence", "entered_by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Recommendation)
class RecommendationAdmin(LockAwareHistoryAdmin):
    mission_lookup = "statement__mission"
    edit_action = "statement_draft"
    list_display = ("__str__", "addressee", "priority", "follow_up_label", "statement")
    list_filter = ("priority", "addressee", ("statement__mission", MissionFilter))
    list_select_related = ("statement",)
    search_fields = ("text", "statement__title")
    autocomplete_fields = ("statement",)
    inlines = [RecommendationAssessmentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_follow_up()

    @admin.display(description=_("follow-up"))
    def follow_up_label(self, obj):
        return obj.follow_up_label

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "statement":
            field.queryset = field.queryset.editable()
        return field

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and not obj.statement.is_editable:
            # Follow-up is assessed apart, in RecommendationAssessment.
            readonly = (*readonly, *Recommendation.REVIEWED_FIELDS)
        return readonly

    def has_delete_permission(self, request, obj=None):
        reviewed = obj is not None and not obj.statement.is_editable
        return super().has_delete_permission(request, obj) and not reviewed

    def frozen(self, queryset):
        return super().frozen(queryset) | queryset.exclude(
            statement__status=FindingsStatement.Status.DRAFT
        )

    def frozen_message(self, count):
        return ngettext(
            "%(count)d selected recommendation can no longer change (its mission is locked "
            "or its statement is past draft): nothing was deleted.",
            "%(count)d selected recommendations can no longer change (their mission is locked "
            "or their statements are past draft): nothing was deleted.",
            count,
        ) % {"count": count}
