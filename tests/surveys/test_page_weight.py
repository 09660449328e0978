"""Every respondent page, with everything it loads, fits in 14,000 bytes gzip-compressed.

14 kB is about what the first round trip of a new connection carries (10 TCP segments), so a page
appears after one round trip even on a slow, expensive connection. Recordings are not counted: they
load only when a resident taps play (``preload="none"``). Compression level 6 (a common proxy
default).
"""

from __future__ import annotations

import gzip
import re

from klankbord.surveys import services

BUDGET = 14_000
LANGS = ("nl", "en", "ar", "ti", "fa", "tr", "uk")
SHIPPED = ("koken", "privacy", "taallessen", "wonen")

#: What a page loads: stylesheets, scripts, images, and the service worker its script registers.
_ASSET = re.compile(r'<(?:link|script|img|body)\b[^>]*?\b(?:href|src|data-sw)="([^"]+)"')
_ANY_URL = re.compile(r'\b(?:href|src|action|formaction|poster|data)="([^"]*)"')


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def _weigh(client, html: str, cache: dict) -> int:
    for url in _ANY_URL.findall(html):
        assert not re.match(r"^(?:[a-z]+:)?//", url, re.I), f"external URL {url}"
    total = _gz(html.encode("utf-8"))
    for url in _ASSET.findall(html):
        if url.startswith("data:"):
            continue
        if url not in cache:
            response = client.get(url)
            assert response.status_code == 200, url
            cache[url] = _gz(response.get_data())
            response.close()
        total += cache[url]
    return total


def _pages(client, db, deployment, lang, slip):
    """Yield (name, html) for every page a resident can see in ``lang``."""
    from tests.surveys.conftest import Respondent

    yield "picker", client.get(f"/s/{deployment.code}").get_data(as_text=True)
    person = Respondent(client, deployment.code, lang)
    person.start()
    yield "intro", person.html
    person.step()
    defn = services.definition_of(deployment.version)
    for _ in range(40):
        page = person.page()
        if page == "check":
            break
        yield page, person.html
        question = defn.question(page)
        if question.type == "free_text":
            # The longest allowed answer, in the respondent's script, travels along from here on.
            fields = [(f"a.{page}", ("ب" if lang in ("ar", "fa") else "ж") * question.max_length)]
        elif question.has_options:
            values = (
                question.option_values
                if question.type == "multiple_choice"
                else (question.option_values[0],)
            )
            fields = [(f"a.{page}", v) for v in values]
        else:
            fields = [(f"a.{page}", str(question.min_value or 0))]
        person.step(fields)
    yield "check", person.html
    done = person.submit()
    assert done.status_code == 303
    yield "thanks", client.get(done.headers["Location"]).get_data(as_text=True)
    yield "stop", client.get(f"/s/{deployment.code}/{lang}/stop").get_data(as_text=True)
    yield (
        "results",
        client.get(f"/s/{deployment.code}/{lang}/results?slip={slip}").get_data(as_text=True),
    )
    yield "slip form", client.get(f"/s/{deployment.code}/{lang}/results").get_data(as_text=True)
    yield "unknown", client.get(f"/s/XXXX2345/{lang}").get_data(as_text=True)


def test_every_respondent_page_fits_in_14000_gzip_bytes(client, db, deploy):
    cache: dict = {}
    heaviest = (0, "")
    for survey_id in SHIPPED:
        deployment = deploy(survey_id)
        (slip,) = services.create_slips(deployment, 1)
        db.session.commit()
        for lang in LANGS:
            for name, html in _pages(client, db, deployment, lang, slip):
                weight = _weigh(client, html, cache)
                assert weight <= BUDGET, f"{survey_id}/{lang}/{name}: {weight} bytes"
                heaviest = max(heaviest, (weight, f"{survey_id}/{lang}/{name}"))
    assert heaviest[0] > 1000  # the measurement measured something
    print(f"heaviest respondent page: {heaviest[1]} = {heaviest[0]} bytes gzip (budget {BUDGET})")
