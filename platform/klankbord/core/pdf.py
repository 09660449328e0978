"""The one way Klankbord makes PDFs: WeasyPrint that may read the app's own static files only.

Reports, meeting minutes and posters each render a print template of their own (no staff chrome,
no forms) and hand the HTML here. Relative URLs in that HTML (``/static/css/print.css``) resolve
against a base URL that names no real host; the URL fetcher serves a URL only when it points at a
file inside the static folder and refuses everything else (other hosts, ``file:``, ``data:``,
paths that climb out with ``..``), so a text a resident wrote can never make the server fetch
anything. Fonts come from the system (fontconfig): Noto Sans covers Latin and Cyrillic, Noto Sans
Arabic covers Arabic and Farsi, Noto Sans Ethiopic covers Tigrinya (``.ci/system-deps.sh``).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: Base URL of every PDF document; ``.invalid`` can never resolve (RFC 2606).
BASE_URL = "https://pdf.klankbord.invalid/"
STATIC_PREFIX = "/static/"


class PdfUnavailable(RuntimeError):
    """WeasyPrint or its system libraries are missing on this server."""


class FetchRefused(ValueError):
    """A PDF asked for something that is not one of the app's static files."""


def available() -> bool:
    """Whether WeasyPrint and its Pango/HarfBuzz libraries can be loaded."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):  # OSError: the system libraries are missing
        return False
    return True


def static_file(url: str, static_folder: str | Path) -> Path:
    """The static file a PDF's URL names; :class:`FetchRefused` for anything else."""
    root = Path(static_folder).resolve()
    base = urlsplit(BASE_URL)
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(
        STATIC_PREFIX
    ):
        raise FetchRefused(f"PDFs load only the app's static files, not {url[:60]!r}")
    target = (root / unquote(parts.path[len(STATIC_PREFIX) :])).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        raise FetchRefused(f"No such static file: {parts.path[:60]!r}")
    return target


def _fetcher(weasyprint, static_folder: str | Path):
    """A WeasyPrint URL fetcher that opens no connection: static files or a refusal."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            target = static_file(url, static_folder)
            mime_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, target.read_bytes(), {"Content-Type": mime_type})

    return StaticOnly(allowed_protocols=("https",))


def render(html: str, static_folder: str | Path) -> bytes:
    """Render a print template's HTML to PDF bytes; its stylesheets load via :func:`static_file`.

    Raises :class:`PdfUnavailable` when WeasyPrint cannot be loaded.
    """
    try:
        import weasyprint
    except (ImportError, OSError) as error:
        raise PdfUnavailable(str(error)) from error
    document = weasyprint.HTML(
        string=html, base_url=BASE_URL, url_fetcher=_fetcher(weasyprint, static_folder)
    )
    return document.write_pdf()
