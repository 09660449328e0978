"""Survey fixtures: stored shipped surveys, deployments, a helper that answers via the forms."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from klankbord.core import time as clock


@pytest.fixture(autouse=True)
def _reset_clock():
    yield
    clock.freeze(None)


@pytest.fixture(scope="session")
def shipped():
    """The shipped survey definitions, loaded once per test run (parsing YAML is the slow part)."""
    from klankbord.config import DefaultConfig
    from klankbord.surveys.definitions import load_all

    return load_all(DefaultConfig.SURVEYS_DIR)


@pytest.fixture
def versions(app, db, shipped):
    """Every shipped survey stored as a version: {survey id: SurveyVersion}."""
    from klankbord.surveys import services

    results = services.store_versions(shipped)
    db.session.commit()
    return {r.survey_id: r.version for r in results}


@pytest.fixture
def deploy(db, make, versions):
    """deploy(survey_id, org=None, **kw) -> an open Deployment (opened an hour ago, 30 days)."""
    from klankbord.surveys import services

    def _deploy(
        survey_id="koken",
        org=None,
        *,
        opens_in=timedelta(hours=-1),
        length=timedelta(days=30),
        slip_required=False,
    ):
        org = org or make.org()
        location = make.location(org)
        now = clock.utcnow().replace(microsecond=0)
        deployment = services.create_deployment(
            org,
            versions[survey_id],
            [location],
            now + opens_in,
            now + opens_in + length,
            slip_required=slip_required,
        )
        db.session.commit()
        return deployment

    return _deploy


_FIELD = re.compile(r'<input type="hidden" name="(key|token|slip)" value="([^"]*)"')


def form_state(html: str) -> dict:
    """The key/token/slip hidden fields of a respondent page."""
    return dict(_FIELD.findall(html))


class Respondent:
    """Walks the no-JavaScript flow with the test client, like a phone would."""

    def __init__(self, client, code: str, lang: str):
        self.client = client
        self.code = code
        self.lang = lang
        self.state: dict = {}
        self.html = ""

    def start(self, slip: str | None = None):
        query = f"?slip={slip}" if slip else ""
        response = self.client.get(f"/s/{self.code}/{self.lang}{query}")
        self.html = response.get_data(as_text=True)
        self.state = form_state(self.html)
        return response

    def hidden_answers(self) -> list[tuple[str, str]]:
        return re.findall(r'<input type="hidden" name="(a\.[a-z0-9_]+)" value="([^"]*)"', self.html)

    def page(self) -> str:
        match = re.search(r'<input type="hidden" name="page" value="([^"]*)"', self.html)
        return match.group(1) if match else ""

    def post(self, path: str, fields: list[tuple[str, str]], **headers):
        data = [(k, v) for k, v in self.state.items()] + fields
        response = self.client.post(
            f"/s/{self.code}/{self.lang}/{path}", data=_multidict(data), headers=headers
        )
        if response.status_code != 303:
            self.html = response.get_data(as_text=True)
        return response

    def prefilled(self) -> list[tuple[str, str]]:
        """What a browser would send for the visible question without touching it."""
        checked = re.findall(r'name="(a\.[a-z0-9_]+)" value="([^"]*)" checked', self.html)
        typed = re.findall(
            r'<input class="num"[^>]* name="(a\.[a-z0-9_]+)" value="([^"]*)"', self.html
        )
        area = re.findall(
            r'<textarea[^>]* name="(a\.[a-z0-9_]+)"[^>]*>([^<]*)</textarea>', self.html
        )
        return checked + [(k, v) for k, v in typed + area if v]

    def step(self, answer_fields=None, nav="next"):
        """Press a button on the current page; ``answer_fields`` replace what the page shows."""
        current = self.prefilled() if answer_fields is None else list(answer_fields)
        fields = self.hidden_answers() + [("page", self.page()), ("nav", nav)] + current
        return self.post("q", fields)

    def submit(self, **headers):
        fields = self.hidden_answers()
        return self.post("submit", fields, **headers)


def _multidict(pairs):
    from werkzeug.datastructures import MultiDict

    return MultiDict(pairs)


@pytest.fixture
def respondent(client):
    def _make(deployment, lang="nl"):
        return Respondent(client, deployment.code, lang)

    return _make


FLOW_DIR = Path(__file__).parent / "data" / "flow"


@pytest.fixture
def proef(app, db, make):
    """An open deployment of the small test survey 'proef' (nl, en, ar), with audio beside it."""
    from klankbord.surveys import services
    from klankbord.surveys.definitions import load_definition

    app.config["SURVEYS_DIR"] = str(FLOW_DIR)
    (result,) = services.store_versions([load_definition(FLOW_DIR / "proef.yaml")])
    org = make.org()
    location = make.location(org)
    now = clock.utcnow().replace(microsecond=0)
    deployment = services.create_deployment(
        org, result.version, [location], now - timedelta(hours=1), now + timedelta(days=7)
    )
    db.session.commit()
    return deployment
