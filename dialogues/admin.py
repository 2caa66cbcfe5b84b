from django.contrib import admin

from dialogues.models import (
    BilateralTrack,
    DialogueForum,
    DialogueSession,
    ForumCountry,
    ForumObjective,
    Outcome,
    Participant,
)


class ForumCountryInline(admin.TabularInline):
    model = ForumCountry
    extra = 0


class ForumObjectiveInline(admin.TabularInline):
    model = ForumObjective
    extra = 0


class DialogueSessionInline(admin.TabularInline):
    model = DialogueSession
    fields = ["sequence", "city", "country", "date", "topic"]
    extra = 0
    show_change_link = True


class OutcomeInline(admin.StackedInline):
    model = Outcome
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Offer only this forum's sessions; clean() refuses any other.
        if db_field.name == "session":
            forum_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = DialogueSession.objects.filter(forum_id=forum_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class BilateralTrackInline(admin.TabularInline):
    model = BilateralTrack
    extra = 0


@admin.register(DialogueForum)
class DialogueForumAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "start_date", "end_date", "planned_months"]
    list_filter = ["kind", "countries__country", "conveners"]
    search_fields = ["name", "purpose", "objectives__text"]
    filter_horizontal = ["conveners"]
    inlines = [
        ForumCountryInline,
        ForumObjectiveInline,
        DialogueSessionInline,
        OutcomeInline,
        BilateralTrackInline,
    ]

    def get_inlines(self, request, obj):
        # A track's countries are checked against the forum's saved countries, which
        # a forum being added does not have yet: tracks come once it exists.
        if obj is None:
            return [inline for inline in self.inlines if inline is not BilateralTrackInline]
        return self.inlines


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0


@admin.register(DialogueSession)
class DialogueSessionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "forum", "date", "country", "topic"]
    list_filter = ["forum", "country"]
    list_select_related = ["forum"]
    search_fields = ["city", "topic", "agenda", "summary", "forum__name"]
    inlines = [ParticipantInline]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["person", "role", "session", "country", "organization"]
    list_filter = ["role", "session__forum", "country"]
    list_select_related = ["person", "session", "organization"]
    search_fields = ["person__full_name", "organization__name", "session__forum__name"]


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "forum", "session", "date"]
    list_filter = ["kind", "forum"]
    list_select_related = ["forum", "session"]
    search_fields = ["title", "text", "forum__name"]


@admin.register(BilateralTrack)
class BilateralTrackAdmin(admin.ModelAdmin):
    list_display = ["__str__", "forum", "status"]
    list_filter = ["status", "forum"]
    list_select_related = ["forum"]
    search_fields = ["forum__name", "notes"]
