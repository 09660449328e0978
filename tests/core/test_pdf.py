"""The one PDF path (klankbord.core.pdf): static files only, every script of the seven languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.pdftext import needs_pdf_tools, pdf_fonts, pdf_text

from klankbord.core import pdf

STATIC = Path(__file__).resolve().parents[2] / "platform" / "klankbord" / "static"

SEVEN = {
    "nl": "Hoe gaat het koken",
    "en": "How is the cooking",
    "ar": "كيف حال الطبخ",
    "fa": "آشپزی چطور است",
    "ti": "ምግቢ ምስራሕ ከመይ",
    "tr": "Yemek pişirmek nasıl",
    "uk": "Як готування",
}


def test_only_the_apps_static_files_are_served():
    served = pdf.static_file(pdf.BASE_URL + "static/css/print.css", STATIC)
    assert served == STATIC / "css" / "print.css"
    for url in (
        "https://example.com/static/css/print.css",
        "http://pdf.klankbord.invalid/static/css/print.css",
        "file:///etc/passwd",
        "data:text/css,body{}",
        pdf.BASE_URL + "static/../../config.py",
        pdf.BASE_URL + "static/%2e%2e/%2e%2e/config.py",
        pdf.BASE_URL + "static/css/",
        pdf.BASE_URL + "other/file.css",
    ):
        with pytest.raises(pdf.FetchRefused):
            pdf.static_file(url, STATIC)


def test_stylesheet_loads_and_nothing_else_is_fetched(tmp_path):
    needs_pdf_tools()
    secret = tmp_path / "secret.css"
    secret.write_text("body::before { content: 'LEAKED-SECRET'; }")
    html = f"""<!doctype html><html><head>
    <link rel="stylesheet" href="/static/css/print.css">
    <link rel="stylesheet" href="file://{secret}">
    <style>@import url("file://{secret}");</style>
    </head><body><p>Inhoud</p><img src="file:///etc/passwd" alt="x"></body></html>"""
    text = pdf_text(pdf.render(html, STATIC))
    assert "Inhoud" in text
    assert "LEAKED-SECRET" not in text
    # print.css numbers the pages ("1 / 1" in the page's bottom margin): it really loaded.
    assert re.search(r"\b1 ?/ ?1\b", text)


def test_all_seven_scripts_have_a_font():
    needs_pdf_tools()
    body = "".join(
        f'<p lang="{code}" dir="{"rtl" if code in ("ar", "fa") else "ltr"}">{words}</p>'
        for code, words in SEVEN.items()
    )
    html = (
        '<!doctype html><html><head><link rel="stylesheet" href="/static/css/print.css">'
        f"</head><body>{body}</body></html>"
    )
    data = pdf.render(html, STATIC)
    text = pdf_text(data)
    for code in ("nl", "en", "ti", "tr", "uk"):
        assert SEVEN[code] in text, code
    # Right-to-left text comes back with direction marks; its letters must all be there.
    for code in ("ar", "fa"):
        assert all(word in text for word in SEVEN[code].split()), code
    fonts = pdf_fonts(data)
    assert "Noto-Sans-Arabic" in fonts and "Noto-Sans-Ethiopic" in fonts
    assert "Serif" not in fonts  # no fallback font anywhere, the page numbers included


def test_missing_weasyprint_is_reported(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_weasyprint(name, *args, **kwargs):
        if name == "weasyprint":
            raise ImportError("no weasyprint here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    assert pdf.available() is False
    with pytest.raises(pdf.PdfUnavailable):
        pdf.render("<p>x</p>", STATIC)
