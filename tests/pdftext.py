"""Read a PDF's text back with poppler's pdftotext (Debian poppler-utils; .ci/system-deps.sh)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

#: Words of the staff page around the content; none may be printed in a PDF.
CHROME_WORDS = (
    "Skip to content", "Naar de inhoud", "Log out", "Uitloggen", "csrf", "Main menu",
    "Hoofdmenu", "Download", "Make link", "Link maken",
)


def needs_pdf_tools() -> None:
    """Skip unless WeasyPrint and pdftotext are both installed."""
    pytest.importorskip("weasyprint", reason="WeasyPrint is not installed (pip install .[pdf])")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is missing: install poppler-utils (make system-deps)")


def pdf_text(data: bytes, *, layout: bool = False) -> str:
    assert data.startswith(b"%PDF"), data[:200]
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else []) + ["-", "-"]
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout.decode()


def pdf_fonts(data: bytes) -> str:
    result = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True)
    return result.stdout.decode()


def assert_no_chrome(text: str) -> None:
    lowered = text.lower()
    found = [word for word in CHROME_WORDS if word.lower() in lowered]
    assert not found, f"Staff-page chrome printed in a PDF: {found}"
