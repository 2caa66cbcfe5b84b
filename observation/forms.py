from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from observation.imports import Importer, ImportFileError, Preview, read_table


class ImportUploadForm(forms.Form):
    """An upload of a station list or a roster, checked down to each row before anything is
    written. After `is_valid()`, `preview` holds what the import would do and `content` the
    file's bytes."""

    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (comma- or semicolon-separated, UTF-8) or Excel (.xlsx). "
            "The first line names the columns, in any order."
        ),
    )

    def __init__(self, *args, importer: Importer, **kwargs):
        super().__init__(*args, **kwargs)
        self.importer = importer
        self.preview: Preview | None = None
        self.content = b""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_UPLOAD_SIZE
        if upload.size > limit:
            raise ValidationError(
                _("This file is larger than %(limit)s MB, the most we accept."),
                code="too_large",
                params={"limit": round(limit / (1024 * 1024), 1)},
            )
        content = upload.read()
        try:
            self.preview = self.importer.preview(read_table(content, upload.name))
        except ImportFileError as error:
            raise ValidationError(error.message, code=error.code) from None
        self.content = content
        return upload
