"""The question library, which administrators keep for every mission. A mission's own
checklists are loaded and changed by its leaders on the mission's Checklists pages,
which check an XLSForm as a whole before applying it."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from observation.models import LibraryQuestion


@admin.register(LibraryQuestion)
class LibraryQuestionAdmin(SimpleHistoryAdmin):
    list_display = ("code", "__str__", "type")
    list_filter = ("type",)
    search_fields = ("code", "labels")

    def get_readonly_fields(self, request, obj=None):
        # Missions compare results by a library question's code and type: fixed once used.
        if obj is not None and obj.questions.exists():
            return ("code", "type")
        return ()
