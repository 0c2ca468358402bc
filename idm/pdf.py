"""The one PDF path for every printed document (activation letters, the CA's forms, later the
yearly report): a Django HTML template rendered by WeasyPrint with Debian's DejaVu fonts.

Nothing is fetched: every URL a template could name (an image, a stylesheet, a font) is refused,
so a user-controlled string can neither reach the network nor read a local file, and rendering
works on a machine without one. Values reach the HTML through Django's autoescaping (IN-05)."""

from __future__ import annotations

from django.template.loader import render_to_string


class NoFetching(ValueError):
    pass


def _refuse(url: str, *args, **kwargs):
    raise NoFetching(f"PDF templates may not load {url[:60]!r}")


def html_to_pdf(html: str, *, title: str = "") -> bytes:
    from weasyprint import HTML  # imported when printing: loading Pango costs start-up time elsewhere

    document = HTML(string=html, url_fetcher=_refuse, base_url=None).render()
    if title:
        document.metadata.title = title
    return document.write_pdf()


def render_pdf(template: str, context: dict, *, title: str = "") -> bytes:
    """Render `template` (HTML) with `context` and print it to PDF bytes."""
    return html_to_pdf(render_to_string(template, context), title=title)
