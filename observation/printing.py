"""One template, two outputs: the print view in the browser and a PDF from WeasyPrint.

Shared by the mission summary and the dialogue forum summary.
"""

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.urls import URLFetcher

# Where the PDFs that anyone may read alike are kept, each for as long as its page reads
# the same.
KEPT_FOLDER = "printed"


class StaticOnlyFetcher(URLFetcher):
    """Fetch our own static files from disk and nothing else.

    Printed pages hold text that users typed; refusing every other URL keeps
    any markup that slipped through from making the server fetch arbitrary
    addresses.
    """

    def fetch(self, url, headers=None):
        path = urlsplit(url).path
        static_prefix = "/" + settings.STATIC_URL.lstrip("/")
        if not path.startswith(static_prefix):
            raise ValueError(f"Not fetched while printing: {url}")
        found = finders.find(path.removeprefix(static_prefix))
        if not found and settings.STATIC_ROOT:
            candidate = Path(settings.STATIC_ROOT) / path.removeprefix(static_prefix)
            found = str(candidate) if candidate.is_file() else None
        if not found:
            raise ValueError(f"No such static file: {url}")
        return super().fetch(Path(found).resolve().as_uri(), headers)


def render_document(*, template_name: str, context: dict, request=None, base_url="") -> Document:
    """The laid-out pages, before they are written as a PDF: in a request, or in the task
    worker, which has none and gives the site's address its request had (`base_url`)."""
    return _laid_out(
        _print_html(template_name, context, request), base_url or request.build_absolute_uri("/")
    )


def _print_html(template_name: str, context: dict, request) -> str:
    return render_to_string(template_name, {**context, "pdf": True}, request=request)


def _laid_out(html: str, base_url: str) -> Document:
    return HTML(
        string=html,
        base_url=base_url,
        url_fetcher=StaticOnlyFetcher(allowed_protocols={"file"}),
        media_type="print",
    ).render()


def write_pdf(document: Document) -> bytes:
    """The PDF of laid-out pages, tagged (PDF/UA) so that screen readers follow its
    headings and tables, with the page's title and language as its own."""
    return document.write_pdf(pdf_variant="pdf/ua-1")


def render_pdf(*, request, template_name: str, context: dict) -> bytes:
    return write_pdf(render_document(request=request, template_name=template_name, context=context))


def pdf_response(
    *, request, template_name: str, context: dict, filename: str, kept_as: str = ""
) -> HttpResponse:
    """The page as a PDF to download. One that anyone may read alike (the public findings
    site's) names itself `kept_as`, and is laid out once for as long as it reads the same."""
    if kept_as:
        pdf = _kept_pdf(request=request, template_name=template_name, context=context, name=kept_as)
    else:
        pdf = render_pdf(request=request, template_name=template_name, context=context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _kept_pdf(*, request, template_name: str, context: dict, name: str) -> bytes:
    """The PDF kept in the default storage under a digest of its page's HTML and the
    address its links start with: the same page, the same PDF, so a kept one is never
    stale. Laying it out takes seconds for a large mission, reading it milliseconds: the
    day a mission publishes, its readers must not hold every web worker. A new version
    deletes the earlier ones of the same `name`."""
    base_url = request.build_absolute_uri("/")
    html = _print_html(template_name, context, request)
    # Named for its address too: a site reached by two (with and without www) keeps both.
    name = f"{name}-{hashlib.sha256(base_url.encode()).hexdigest()[:12]}"
    path = f"{KEPT_FOLDER}/{name}-{hashlib.sha256(html.encode()).hexdigest()}.pdf"
    try:
        with default_storage.open(path, "rb") as kept:
            pdf = kept.read()
        # The storage writes a file where it will lie, piece by piece: one being written,
        # or cut short by a full disk, is not a whole PDF yet.
        if pdf.rstrip().endswith(b"%%EOF"):
            return pdf
        default_storage.delete(path)
    except FileNotFoundError:
        pass
    pdf = write_pdf(_laid_out(html, base_url))
    # Two readers may lay out the same version at once: the first one's file is kept.
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(pdf))
    forget_kept(name, keep=path)
    return pdf


def forget_kept(name: str, *, keep: str | None = None) -> None:
    """Delete the PDFs kept under `name` (every version, every address), but `keep`."""
    try:
        _folders, files = default_storage.listdir(KEPT_FOLDER)
    except FileNotFoundError:
        return
    for file in files:
        if file.startswith(f"{name}-") and f"{KEPT_FOLDER}/{file}" != keep:
            default_storage.delete(f"{KEPT_FOLDER}/{file}")
