"""One template, two outputs: the print view in the browser and a PDF from WeasyPrint.

Shared by the mission summary and the dialogue forum summary.
"""

from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.urls import URLFetcher


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
    html = render_to_string(template_name, {**context, "pdf": True}, request=request)
    return HTML(
        string=html,
        base_url=base_url or request.build_absolute_uri("/"),
        url_fetcher=StaticOnlyFetcher(allowed_protocols={"file"}),
        media_type="print",
    ).render()


def write_pdf(document: Document) -> bytes:
    """The PDF of laid-out pages, tagged (PDF/UA) so that screen readers follow its
    headings and tables, with the page's title and language as its own."""
    return document.write_pdf(pdf_variant="pdf/ua-1")


def render_pdf(*, request, template_name: str, context: dict) -> bytes:
    return write_pdf(render_document(request=request, template_name=template_name, context=context))


def pdf_response(*, request, template_name: str, context: dict, filename: str) -> HttpResponse:
    response = HttpResponse(
        render_pdf(request=request, template_name=template_name, context=context),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
