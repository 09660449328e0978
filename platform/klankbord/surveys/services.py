"""Survey operations: sync definitions, deploy, submit anonymously, slips, counts. Callers
commit."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, DateTime, bindparam, case, false, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, joinedload

from klankbord.accounts.models import Location, Organisation
from klankbord.core.codes import CODE_ALPHABET, normalise_code
from klankbord.core.codes import new_code as random_code
from klankbord.core.errors import DomainError
from klankbord.core.record_keys import random_record_key
from klankbord.core.time import utcnow
from klankbord.extensions import db
from klankbord.surveys import answering
from klankbord.surveys.definitions import SurveyDefinition, canonical_content, load_all
from klankbord.surveys.models import (
    Answer,
    Deployment,
    ParticipationSlip,
    Response,
    SurveyVersion,
    _random_id,
)
from klankbord.surveys.snapshot import cached, cached_definition

#: Letters and digits that cannot be mistaken for each other when read aloud or from paper.
DEPLOYMENT_CODE_LENGTH = 8
SLIP_CODE_LENGTH = 8
MAX_SLIPS_PER_BATCH = 500
#: Closed question types that results pages count.
CLOSED_TYPES = ("single_choice", "multiple_choice", "scale", "yes_no")


class SurveyError(DomainError):
    """A staff-facing problem with a survey operation; ``code`` says which, ``field`` where."""

    def __init__(self, code: str, message: object = "", field: str | None = None) -> None:
        super().__init__(message or code, code=code, field=field)


class SubmissionConflict(Exception):
    """The submission key was used before with different answers; the first answers are kept."""


class SlipProblem(Exception):
    """The paper slip is unknown (``reason == "unknown"``) or already used (``"used"``)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


# Versions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncResult:
    survey_id: str
    version: SurveyVersion
    created: bool


def sync_definitions(directory: str) -> list[SyncResult]:
    """Load every survey file; store a new version for each changed definition (idempotent).

    All files are validated before anything is written, so one broken file changes nothing.
    """
    return store_versions(load_all(directory))


def store_versions(definitions: Iterable[SurveyDefinition]) -> list[SyncResult]:
    """Store each definition as a new version unless a version with the same content exists."""
    results = []
    for defn in definitions:
        existing = db.session.execute(
            select(SurveyVersion).where(
                SurveyVersion.survey_id == defn.id, SurveyVersion.content_hash == defn.content_hash
            )
        ).scalar_one_or_none()
        if existing is not None:
            results.append(SyncResult(defn.id, existing, False))
            continue
        number = (
            db.session.execute(
                select(func.coalesce(func.max(SurveyVersion.number), 0)).where(
                    SurveyVersion.survey_id == defn.id
                )
            ).scalar_one()
            + 1
        )
        version = SurveyVersion(
            survey_id=defn.id,
            number=number,
            declared_version=defn.version,
            content_hash=defn.content_hash,
            definition=canonical_content(defn),
        )
        db.session.add(version)
        db.session.flush()
        results.append(SyncResult(defn.id, version, True))
    return results


def definition_of(version: SurveyVersion) -> SurveyDefinition:
    """Return the survey definition of a stored version.

    Versions never change, so the definition is built once per content hash; the JSON snapshot
    is only read (and decoded) when it is not built yet.
    """
    return cached(version.content_hash) or cached_definition(
        version.content_hash, version.definition
    )


def latest_versions() -> list[SurveyVersion]:
    """Return the newest version of every survey, ordered by survey id."""
    newest = (
        select(SurveyVersion.survey_id, func.max(SurveyVersion.number).label("number"))
        .group_by(SurveyVersion.survey_id)
        .subquery()
    )
    return list(
        db.session.execute(
            select(SurveyVersion)
            .join(
                newest,
                (SurveyVersion.survey_id == newest.c.survey_id)
                & (SurveyVersion.number == newest.c.number),
            )
            .order_by(SurveyVersion.survey_id)
        ).scalars()
    )


def versions_of(survey_id: str) -> list[SurveyVersion]:
    return list(
        db.session.execute(
            select(SurveyVersion)
            .where(SurveyVersion.survey_id == survey_id)
            .order_by(SurveyVersion.number.desc())
        ).scalars()
    )


# Deployments ---------------------------------------------------------------------------------


def create_deployment(
    org: Organisation,
    version: SurveyVersion,
    locations: Sequence[Location],
    opens_at: datetime,
    closes_at: datetime,
    *,
    created_by=None,
    slip_required: bool = False,
) -> Deployment:
    """Offer ``version`` at ``locations`` of ``org`` from ``opens_at`` until ``closes_at`` (naive
    UTC)."""
    if not locations:
        raise SurveyError("no_locations", _l("Choose at least one location."), "locations")
    if any(location.organisation_id != org.id for location in locations):
        raise SurveyError(
            "foreign_location",
            _l("Something you chose does not belong to your organisation."),
            "locations",
        )
    if closes_at <= opens_at:
        raise SurveyError(
            "closes_before_opening",
            _l("The closing time must be after the opening time."),
            "closes_at",
        )
    code = random_code(DEPLOYMENT_CODE_LENGTH)
    while db.session.execute(select(Deployment.id).where(Deployment.code == code)).first():
        code = random_code(DEPLOYMENT_CODE_LENGTH)  # pragma: no cover - 31**8 codes
    deployment = Deployment(
        organisation_id=org.id,
        version_id=version.id,
        code=code,
        opens_at=opens_at,
        closes_at=closes_at,
        slip_required=slip_required,
        created_by_id=getattr(created_by, "id", None),
    )
    deployment.locations = list(locations)
    db.session.add(deployment)
    db.session.flush()
    return deployment


#: The deployment with its version in one query; the version's JSON snapshot is left out (loaded
#: on first use only: ``definition_of`` normally finds the definition cached).
_DEPLOYMENT_BY_CODE = (
    select(Deployment)
    .where(Deployment.code == bindparam("code"))
    .options(joinedload(Deployment.version).options(defer(SurveyVersion.definition)))
)


def deployment_by_code(code: str) -> Deployment | None:
    code = normalise_code(code)
    if not code or len(code) > 16:
        return None
    return db.session.execute(_DEPLOYMENT_BY_CODE, {"code": code}).scalar_one_or_none()


def deployment_state(deployment: Deployment, now: datetime | None = None) -> str:
    """Return "not_open", "open" or "closed"."""
    now = now or utcnow()
    if now < deployment.opens_at:
        return "not_open"
    if now >= deployment.closes_at:
        return "closed"
    return "open"


def set_follow_up(deployment: Deployment, texts: Mapping[str, str]) -> None:
    """Store what the municipality will do, per language; empty texts are dropped."""
    cleaned = {lang: text.strip() for lang, text in texts.items() if text and text.strip()}
    deployment.follow_up = cleaned or None
    db.session.flush()


# Submitting ----------------------------------------------------------------------------------


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def receipt_for(key: str) -> str:
    """A short receipt derived from the submission key: the same retry shows the same receipt."""
    digest = hashlib.sha256(("receipt:" + key).encode()).digest()
    letters = "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:8])
    return f"{letters[:4]}-{letters[4:]}"


def scrub_answers(
    defn: SurveyDefinition, answers: Mapping[str, answering.Answer], lang: str
) -> dict:
    """Replace personal data in free-text answers with visible placeholders."""
    from klankbord.analysis.scrub import scrub

    cleaned = dict(answers)
    for question in defn.questions:
        if question.type == "free_text" and isinstance(cleaned.get(question.id), str):
            cleaned[question.id] = scrub(cleaned[question.id], lang)
    return cleaned


_RESPONSES = Response.__table__
_ANSWERS = Answer.__table__
#: The answers hash stored for a submission key (the unique index on deployment + key hash).
_EXISTING = select(_RESPONSES.c.answers_hash).where(
    _RESPONSES.c.deployment_id == bindparam("deployment_id"),
    _RESPONSES.c.submission_key_hash == bindparam("key_hash"),
)
_INSERT_RESPONSE = insert(_RESPONSES)
_INSERT_ANSWERS = insert(_ANSWERS)


def _existing(deployment_id: int, key_hash: str) -> str | None:
    """Return the answers hash stored earlier under this submission key, or None."""
    return db.session.execute(
        _EXISTING, {"deployment_id": deployment_id, "key_hash": key_hash}
    ).scalar_one_or_none()


def _same_or_conflict(existing_hash: str, answers_hash: str, key: str) -> str:
    if hmac.compare_digest(existing_hash, answers_hash):
        return receipt_for(key)
    raise SubmissionConflict()


def _answer_rows(response_id: str, cleaned: Mapping[str, answering.Answer]) -> list[dict]:
    """One row per answer value (one per chosen option of a multiple-choice answer)."""
    rows = []
    for qid, answer in cleaned.items():
        values = answer if isinstance(answer, list) else [answer]
        for position, value in enumerate(values):
            number = isinstance(value, int)
            rows.append(
                {
                    "response_id": response_id,
                    "question_id": qid,
                    "position": position,
                    "value_text": None if number else value,
                    "value_number": value if number else None,
                }
            )
    return rows


def submit_response(
    deployment: Deployment,
    defn: SurveyDefinition,
    lang: str,
    key: str,
    answers: Mapping[str, answering.Answer],
    *,
    slip_code: str | None = None,
    look_first: bool = True,
) -> str:
    """Store one anonymous response once per submission key and return its receipt.

    A retry with the same key and the same answers stores nothing new and returns the same
    receipt; the same key with other answers raises :class:`SubmissionConflict`. A slip is marked
    used in the same transaction. ``answers`` must already be checked (``answering``). The caller
    commits; on IntegrityError (the key is taken) the caller rolls back and calls again.

    ``look_first=False`` skips the query for an earlier submission under this key and lets the
    unique key on deployment + key hash refuse a repeat instead: a first submission (nearly all
    of them) then costs one statement less, and a repeat costs a rollback and a second call.
    """
    cleaned = scrub_answers(defn, answering.shown_answers(defn, answers), lang)
    answers_hash = answering.fingerprint(cleaned)
    deployment_id = deployment.id
    key_hash = _sha256(f"{deployment_id}:{key}")
    if look_first:
        existing = _existing(deployment_id, key_hash)
        if existing is not None:
            return _same_or_conflict(existing, answers_hash, key)
    if slip_code or deployment.slip_required:
        slip = find_slip(deployment, slip_code)
        if slip is None:
            raise SlipProblem("unknown")
        marked = db.session.execute(
            update(ParticipationSlip)
            .where(ParticipationSlip.id == slip.id, ParticipationSlip.used.is_(False))
            .values(used=True)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not marked:
            # A concurrent retry of this very submission may have used the slip a moment ago.
            existing = _existing(deployment_id, key_hash)
            if existing is not None:
                return _same_or_conflict(existing, answers_hash, key)
            raise SlipProblem("used")
    # Core inserts (no ORM objects to build, track and flush); the unique key on deployment +
    # key hash still raises IntegrityError for a concurrent retry, as a flush did.
    response_id = _random_id()
    db.session.execute(
        _INSERT_RESPONSE,
        {
            "id": response_id,
            "deployment_id": deployment_id,
            "version_id": deployment.version_id,
            "language": lang,
            "submitted_on": utcnow().date(),
            "submission_key_hash": key_hash,
            "answers_hash": answers_hash,
        },
    )
    rows = _answer_rows(response_id, cleaned)
    if rows:
        db.session.execute(_INSERT_ANSWERS, rows)
    return receipt_for(key)


# The quick path of a first submission ------------------------------------------------------
#
# Nearly every POST to /submit is a first, valid submission to an open deployment without a slip.
# For those, the deployment's row is not loaded at all: what never changes about a deployment
# (its id, code and survey version) is remembered per process after the first request took the
# full path, and whether it is open *now* (and needs no slip) is checked by the INSERT itself,
# which stores the response only ``WHERE`` the deployment row says so. One statement instead of
# an ORM query and an INSERT; nothing cached can go stale, because every changeable column
# (opening and closing moments, slips) is read by the database at the moment of storing. Anything
# else (a repeat, a closed or changed deployment, a slip) takes the full path, as before.


@dataclass(frozen=True)
class SubmitTarget:
    """What never changes about a deployment: enough to store a response without loading it."""

    deployment_id: int
    code: str
    version_id: int
    content_hash: str


_TARGETS: dict[str, SubmitTarget] = {}
_TARGETS_MAX = 4096
_DEPLOYMENTS = Deployment.__table__
_VERSIONS = SurveyVersion.__table__
_RESPONSE_COLUMNS = (
    "id",
    "deployment_id",
    "version_id",
    "language",
    "submitted_on",
    "submission_key_hash",
    "answers_hash",
    "record_key",
)
#: Store the response only if the deployment is (still) the one remembered (id, code, version and
#: its content), open at ``now`` and without slips; the row count says whether it was stored.
_INSERT_IF_OPEN = (
    insert(_RESPONSES)
    .from_select(
        list(_RESPONSE_COLUMNS),
        select(
            bindparam("id", type_=_RESPONSES.c.id.type),
            _DEPLOYMENTS.c.id,
            _DEPLOYMENTS.c.version_id,
            bindparam("language", type_=_RESPONSES.c.language.type),
            bindparam("submitted_on", type_=Date),
            bindparam("key_hash", type_=_RESPONSES.c.submission_key_hash.type),
            bindparam("answers_hash", type_=_RESPONSES.c.answers_hash.type),
            bindparam("record_key", type_=_RESPONSES.c.record_key.type),
        )
        .select_from(_DEPLOYMENTS.join(_VERSIONS, _VERSIONS.c.id == _DEPLOYMENTS.c.version_id))
        .where(
            _DEPLOYMENTS.c.id == bindparam("deployment_id"),
            _DEPLOYMENTS.c.code == bindparam("code"),
            _DEPLOYMENTS.c.version_id == bindparam("version_id"),
            _VERSIONS.c.content_hash == bindparam("content_hash"),
            _DEPLOYMENTS.c.opens_at <= bindparam("now", type_=DateTime),
            _DEPLOYMENTS.c.closes_at > bindparam("now", type_=DateTime),
            _DEPLOYMENTS.c.slip_required == false(),
        ),
    )
    .execution_options(preserve_rowcount=True)
)  # SQLAlchemy keeps an INSERT's rowcount on request


def remember_target(code: str, deployment: Deployment) -> None:
    """Remember the unchanging part of a deployment found under ``code`` (as typed in the URL)."""
    if len(_TARGETS) >= _TARGETS_MAX:
        _TARGETS.clear()
    _TARGETS[code] = SubmitTarget(
        deployment.id, deployment.code, deployment.version_id, deployment.version.content_hash
    )


def remembered_target(code: str) -> SubmitTarget | None:
    """The deployment remembered under ``code`` by an earlier request of this process, or None."""
    return _TARGETS.get(code)


def forget_targets() -> None:
    _TARGETS.clear()


def submit_if_open(
    target: SubmitTarget,
    defn: SurveyDefinition,
    lang: str,
    key: str,
    answers: Mapping[str, answering.Answer],
) -> str | None:
    """Store a first submission and commit it (in a transaction of its own, outside the session);
    return its receipt, or None when nothing was stored.

    None (after a rollback) means: the deployment is not open now, needs a slip, is gone or
    changed, or the key was used before. The caller then takes the full path
    (:func:`submit_with_retry`), which answers each of those cases as it always did. ``answers``
    must already be checked (``answering``), as for :func:`submit_response`.
    """
    cleaned = scrub_answers(defn, answering.shown_answers(defn, answers), lang)
    response_id = _random_id()
    now = utcnow()
    response = {
        "id": response_id,
        "language": lang,
        "submitted_on": now.date(),
        "key_hash": _sha256(f"{target.deployment_id}:{key}"),
        "answers_hash": answering.fingerprint(cleaned),
        "record_key": random_record_key(),
        "deployment_id": target.deployment_id,
        "code": target.code,
        "version_id": target.version_id,
        "content_hash": target.content_hash,
        "now": now,
    }
    # Everything is prepared before the first INSERT: on SQLite that statement takes the write
    # lock, which the other workers wait for until the commit.
    rows = _answer_rows(response_id, cleaned)
    # One transaction on a connection of its own, no ORM session: nothing to track or flush.
    try:
        with db.engine.connect() as connection:
            if connection.execute(_INSERT_IF_OPEN, response).rowcount != 1:
                return None  # closing the connection rolls back
            if rows:
                connection.execute(_INSERT_ANSWERS, rows)
            connection.commit()
    except IntegrityError:  # the key is taken: a repeat, answered by the full path
        return None
    return receipt_for(key)


def submit_with_retry(deployment, defn, lang, key, answers, *, slip_code=None) -> str:
    """Submit and commit, inserting first; when the key is taken (a double tap, a resend after a
    lost connection, a concurrent retry), roll back and answer as that earlier submission did."""
    deployment_id = deployment.id
    try:
        receipt = submit_response(
            deployment, defn, lang, key, answers, slip_code=slip_code, look_first=False
        )
        db.session.commit()
        return receipt
    except IntegrityError:
        db.session.rollback()
        deployment = db.session.get(Deployment, deployment_id)
        receipt = submit_response(deployment, defn, lang, key, answers, slip_code=slip_code)
        db.session.commit()
        return receipt


# Slips ---------------------------------------------------------------------------------------


def slip_key(secret_key: str) -> bytes:
    """The key of slip hashes, derived from the app's secret key (one purpose per key)."""
    return hmac.new(secret_key.encode(), b"klankbord slip codes v1", hashlib.sha256).digest()


def keyed_slip_hash(key: bytes, unkeyed: str) -> str:
    """HMAC of the plain sha256 of a slip. Keyed over the plain hash, so the migration could
    re-key the plain hashes stored before (it never had the codes)."""
    return hmac.new(key, unkeyed.encode(), hashlib.sha256).hexdigest()


def _slip_hash(deployment: Deployment, code: str) -> str:
    unkeyed = _sha256(f"slip:{deployment.id}:{normalise_code(code)}")
    return keyed_slip_hash(slip_key(current_app.config["SECRET_KEY"]), unkeyed)


def create_slips(deployment: Deployment, count: int) -> list[str]:
    """Make ``count`` one-time slips; return their codes (only hashes are stored)."""
    if not 1 <= count <= MAX_SLIPS_PER_BATCH:
        raise SurveyError(
            "slip_count", _l("Choose from 1 to %(n)s slips.", n=MAX_SLIPS_PER_BATCH), "count"
        )
    codes: list[str] = []
    while len(codes) < count:
        code = random_code(SLIP_CODE_LENGTH)
        if code not in codes:
            codes.append(code)
    db.session.add_all(
        ParticipationSlip(deployment_id=deployment.id, code_hash=_slip_hash(deployment, c))
        for c in codes
    )
    db.session.flush()
    return codes


def find_slip(deployment: Deployment, code: str | None) -> ParticipationSlip | None:
    code = normalise_code(code)
    if not code:
        return None
    return db.session.execute(
        select(ParticipationSlip).where(
            ParticipationSlip.deployment_id == deployment.id,
            ParticipationSlip.code_hash == _slip_hash(deployment, code),
        )
    ).scalar_one_or_none()


def slip_counts(deployment: Deployment) -> tuple[int, int]:
    """Return (slips made, slips used)."""
    made, used = db.session.execute(
        select(
            func.count(ParticipationSlip.id),
            func.count(case((ParticipationSlip.used.is_(True), 1))),
        ).where(ParticipationSlip.deployment_id == deployment.id)
    ).one()
    return made, used


# Results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionCount:
    value: str
    count: int
    #: False when the count is below the minimum group size and must not be shown.
    shown: bool


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    options: tuple[OptionCount, ...]


def total_responses(deployment: Deployment) -> int:
    return db.session.execute(
        select(func.count(Response.id)).where(Response.deployment_id == deployment.id)
    ).scalar_one()


def all_locations(org: Organisation) -> list[Location]:
    return list(
        db.session.execute(
            select(Location).where(Location.organisation_id == org.id).order_by(Location.name)
        ).scalars()
    )


def locations_by_ids(org: Organisation, ids: Iterable[int]) -> list[Location]:
    wanted = set(ids)
    return [location for location in all_locations(org) if location.id in wanted]
