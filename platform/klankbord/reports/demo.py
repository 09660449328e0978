"""Demo content for reports: survey answers and meeting ideas in several languages, a scope, themes.

The texts were written for the demo, on the subjects residents of reception locations name most
(being able to cook, a place of one's own, language classes, activities, being listened to). Each
demo text joins one or two sentences on one subject, so themes appear, with the variety of real
answers. Nothing here is real resident input.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

from klankbord.core.record_keys import KEY_RANGE
from klankbord.core.time import today, utcnow
from klankbord.extensions import db

DUTCH_MONTHS = (
    "januari februari maart april mei juni juli augustus september oktober november december"
).split()

TEXTS: dict[str, dict[str, list[str]]] = {
    "koken": {
        "nl": [
            "Ik wil zelf koken voor mijn kinderen, het eten van de catering smaakt niet.",
            "Er is maar één keuken voor veertig mensen, we moeten lang wachten om te koken.",
            "Graag een eigen kookplaat en een koelkast op de kamer.",
            "Het eten is elke dag hetzelfde en er zijn weinig groenten.",
            "Koken geeft mij rust, het voelt als thuis.",
            "De keuken is vaak vies en de pannen zijn kapot.",
            "Wij willen halal eten kunnen kopen en zelf klaarmaken.",
            "Mijn dochter eet het eten van de catering niet, ze heeft allergie.",
        ],
        "en": [
            "I want to cook my own food, the catering food has no taste.",
            "The shared kitchen is too small and always crowded in the evening.",
            "Please give us a fridge so we can keep food for the children.",
            "Cooking together with other women would make me happy.",
        ],
        "ar": [
            "أريد أن أطبخ بنفسي لأطفالي، طعام المطعم ليس جيدا.",
            "المطبخ صغير جدا ونحن ننتظر كثيرا لكي نطبخ.",
            "نحتاج إلى ثلاجة وأواني طبخ جديدة.",
            "الطبخ يجعلني أشعر أنني في بيتي.",
        ],
        "uk": [
            "Я хочу сама готувати їжу для своїх дітей.",
            "На кухні мало місця, ми довго чекаємо, щоб приготувати їжу.",
            "Потрібен холодильник і нормальні каструлі.",
        ],
        "tr": ["Kendi yemeğimi pişirmek istiyorum, yemekhane yemeği lezzetsiz."],
    },
    "privacy": {
        "nl": [
            "Ik slaap met vijf mensen op een kamer, ik heb nooit rust.",
            "De medewerkers komen de kamer binnen zonder te kloppen.",
            "Ik wil een deur die op slot kan, mijn spullen worden gestolen.",
            "De douches hebben geen slot, vrouwen voelen zich niet veilig.",
            "Er is 's nachts veel lawaai op de gang, ik kan niet slapen.",
            "Een eigen kamer voor mijn gezin zou alles beter maken.",
        ],
        "en": [
            "There is no privacy, we share a room with strangers.",
            "Staff enter our room without knocking, that is not respectful.",
            "I cannot sleep because of the noise at night in the corridor.",
            "We need a lock on the shower door.",
        ],
        "ar": [
            "لا توجد خصوصية، نحن ننام مع أشخاص لا نعرفهم.",
            "الموظفون يدخلون الغرفة بدون أن يطرقوا الباب.",
            "لا أستطيع النوم بسبب الضجيج في الليل.",
        ],
        "fa": [
            "هیچ حریم خصوصی نداریم، با غریبه‌ها در یک اتاق می‌خوابیم.",
            "شب‌ها سر و صدا زیاد است و نمی‌توانم بخوابم.",
        ],
        "uk": [
            "У кімнаті живуть п'ять людей, немає жодного особистого простору.",
            "Персонал заходить до кімнати без стуку.",
        ],
    },
    "taal": {
        "nl": [
            "Ik wacht al vier maanden op taalles, ik wil Nederlands leren.",
            "De taalles is te vol en het niveau is te laag voor mij.",
            "Ik kan niet naar taalles omdat er geen opvang is voor mijn kind.",
            "Graag taalles in de avond, overdag werk ik als vrijwilliger.",
            "De vrijwilligers van de taalcafé helpen mij heel goed.",
            "Ik wil een boek en een app om thuis Nederlands te oefenen.",
        ],
        "en": [
            "I have been waiting months for Dutch language classes.",
            "The language class is full and the level is too easy.",
            "I need childcare so I can go to the Dutch class.",
            "Evening classes would help, I volunteer during the day.",
        ],
        "ar": [
            "أنتظر دروس اللغة الهولندية منذ أشهر.",
            "أحتاج إلى حضانة للأطفال حتى أستطيع الذهاب إلى درس اللغة.",
            "درس اللغة مزدحم جدا والمستوى سهل.",
        ],
        "ti": ["ትምህርቲ ቋንቋ ንምጅማር ንኣዋርሕ ተጸቢና ኣለና።"],
        "uk": [
            "Я вже кілька місяців чекаю на курси нідерландської мови.",
            "Потрібен дитячий садок, щоб я могла ходити на уроки мови.",
        ],
    },
    "activiteiten": {
        "nl": [
            "Er is niets te doen, de dagen zijn lang en saai.",
            "Ik wil graag voetballen met jongens uit het dorp.",
            "Organiseer uitstapjes zodat we de stad leren kennen.",
            "Graag een sportavond of zwemles voor vrouwen alleen.",
            "De kinderen hebben geen plek om te spelen.",
        ],
        "en": [
            "There is nothing to do all day, we are bored.",
            "We would like football or sport with people from the town.",
            "A swimming class for women only would be great.",
        ],
        "ar": [
            "لا يوجد شيء نفعله، الأيام طويلة ومملة.",
            "نريد نشاطات رياضية ورحلات للتعرف على المدينة.",
        ],
        "tr": ["Yapacak hiçbir şey yok, günler çok uzun ve sıkıcı."],
    },
    "gehoord": {
        "nl": [
            "Niemand luistert naar ons, we horen nooit wat er met onze ideeën gebeurt.",
            "Fijn dat de gemeente nu vraagt wat wij vinden.",
            "Wij willen meepraten over de regels op de locatie.",
            "Vertel ons wat er verandert na deze vragen, anders heeft het geen zin.",
        ],
        "en": [
            "Nobody listens to us, we never hear what happens with our ideas.",
            "It is good that the municipality asks our opinion now.",
            "Please tell us what changes after this survey.",
        ],
        "ar": [
            "لا أحد يستمع إلينا ولا نعرف ماذا يحدث بأفكارنا.",
            "من الجيد أن البلدية تسأل عن رأينا الآن.",
        ],
        "fa": ["هیچ‌کس به حرف ما گوش نمی‌دهد."],
    },
}

#: Which survey's free-text question each subject answers.
SUBJECT_QUESTION = {
    "koken": ("koken", "what_would_help"),
    "privacy": ("privacy", "privacy_wish"),
    "taal": ("taallessen", "learning_wish"),
    "activiteiten": ("wonen", "one_change"),
    "gehoord": ("wonen", "one_change"),
}

LANGUAGE_WEIGHTS = {"nl": 3, "en": 2, "ar": 3, "uk": 2, "fa": 1, "tr": 1, "ti": 1}


def demo_text(rng: random.Random, subject: str) -> tuple[str, str]:
    """One text on ``subject`` in a language that has texts for it: one or two sentences."""
    texts = TEXTS[subject]
    codes = list(texts)
    lang = rng.choices(codes, weights=[LANGUAGE_WEIGHTS.get(c, 1) for c in codes])[0]
    first = rng.choice(texts[lang])
    if len(texts[lang]) > 1 and rng.random() < 0.45:
        second = rng.choice([t for t in texts[lang] if t != first])
        return f"{first} {second}", lang
    return first, lang


def _closed_answers(rng: random.Random, defn, location_bias: float) -> dict[str, list[str]]:
    """Random but plausible answers to the closed questions (skipped now and then)."""
    answers: dict[str, list[str]] = {}
    for question in defn.questions:
        if question.type not in ("single_choice", "multiple_choice", "scale", "yes_no"):
            continue
        if rng.random() < 0.08:
            continue  # every question may be skipped
        values = [o.value for o in question.options]
        if not values:
            continue
        if question.type == "multiple_choice":
            chosen = [v for v in values if rng.random() < 0.3] or [values[0]]
            answers[question.id] = chosen
        elif question.type == "scale":
            weights = [1 + location_bias, 2, 3, 3 - location_bias, 1.5][: len(values)]
            answers[question.id] = [rng.choices(values, weights=weights)[0]]
        else:
            weights = [max(0.2, 3 - i * (1 - location_bias)) for i in range(len(values))]
            answers[question.id] = [rng.choices(values, weights=weights)[0]]
    return answers


def _demo_day(rng: random.Random, start: date, end: date) -> date:
    """A submission day from ``start`` to ``end``: most answers come in the first weeks."""
    span = max(0, (end - start).days)
    return start + timedelta(days=int(span * rng.random() ** 1.25 + 0.5))


def add_demo_responses(
    deployment,
    count: int,
    rng: random.Random,
    *,
    location_bias: float = 0.0,
) -> int:
    """Insert ``count`` responses with closed answers and free text for the deployment's survey.

    Every response is submitted while the deployment was open and never after today.
    """
    from klankbord.surveys.seam import free_text_question_ids, insert_made_up_responses
    from klankbord.surveys.services import definition_of

    first_day = deployment.opens_at.date()
    last_day = min(deployment.closes_at.date(), today())
    if last_day < first_day:
        return 0
    defn = definition_of(deployment.version)
    free_questions = set(free_text_question_ids(deployment.version))
    subjects = [s for s, (survey, _) in SUBJECT_QUESTION.items() if survey == defn.id]
    responses, rows = [], []
    for _ in range(count):
        rid = uuid.uuid4().hex
        answers = _closed_answers(rng, defn, location_bias)
        lang = rng.choices(list(LANGUAGE_WEIGHTS), weights=list(LANGUAGE_WEIGHTS.values()))[0]
        if subjects and rng.random() < 0.7:
            subject = rng.choice(subjects)
            question = SUBJECT_QUESTION[subject][1]
            if question in free_questions:
                text, lang = demo_text(rng, subject)
                answers[question] = [text]
        responses.append(
            {
                "id": rid,
                "deployment_id": deployment.id,
                "version_id": deployment.version_id,
                "language": lang,
                "submitted_on": _demo_day(rng, first_day, last_day),
                "submission_key_hash": uuid.uuid4().hex * 2,
                "answers_hash": uuid.uuid4().hex * 2,
                # Drawn from the seeded generator, so every install's demo releases read alike.
                "record_key": rng.randrange(KEY_RANGE),
            }
        )
        for qid, values in answers.items():
            for position, value in enumerate(values):
                rows.append(
                    {
                        "response_id": rid,
                        "question_id": qid,
                        "position": position,
                        "value_text": value,
                        "value_number": None,
                    }
                )
    insert_made_up_responses(responses, rows)
    return count


#: Earlier survey rounds: (days before today it opened, days it was open, which of the
#: organisation's locations, location bias for the answers). A round in early summer at the first
#: location and one in early autumn at the second, so a report compares places and months.
DEMO_ROUNDS = [(150, 50, 0, 0.0), (76, 40, 1, 1.0)]


#: Days before today of the report's earlier releases: the first location's round under way,
#: then finished; the second location's round under way. The nightly step adds yesterday's.
EARLIER_RELEASES = (120, 90, 60)


def _demo_deployments(org):
    """Closed, earlier rounds of every shipped survey (the surveys demo only opens new ones now)."""
    from flask import current_app

    from klankbord.surveys.services import create_deployment, latest_versions, sync_definitions

    # The surveys demo ran first and synced the shipped surveys; reading YAML again is slow.
    found = latest_versions() or [
        r.version for r in sync_definitions(current_app.config["SURVEYS_DIR"])
    ]
    versions = {version.survey_id: version for version in found}
    locations = sorted(org.locations, key=lambda location: location.id)
    now = utcnow().replace(hour=9, minute=0, second=0, microsecond=0)
    made = []
    if not locations:
        return made
    for days_ago, days_open, location_index, bias in DEMO_ROUNDS:
        location = locations[location_index % len(locations)]
        for n, survey_id in enumerate(("koken", "taallessen", "privacy", "wonen")):
            if survey_id not in versions:
                continue
            opens = now - timedelta(days=days_ago - 2 * n)
            deployment = create_deployment(
                org, versions[survey_id], [location], opens, opens + timedelta(days=days_open)
            )
            made.append((deployment, bias))
    return made


def _demo_ideas(org, rng: random.Random) -> int:
    """Meeting ideas in the meetings the meetings demo held in the past (none in later ones)."""
    from klankbord.meetings.seam import insert_made_up_ideas, meetings_started_before

    rows = []
    for meeting_id, starts_at in meetings_started_before(org.id, utcnow() - timedelta(hours=3)):
        for _ in range(30):
            subject = rng.choice(list(TEXTS))
            text, lang = demo_text(rng, subject)
            rows.append(
                {
                    "organisation_id": org.id,
                    "meeting_id": meeting_id,
                    "text": text,
                    "lang": lang,
                    "status": "approved",
                    "support_count": rng.randrange(6),
                    "created_on": starts_at.date(),
                }
            )
    insert_made_up_ideas(rows)
    return len(rows)


def seed_demo_reports(org) -> list[str]:
    """Answers, ideas, a saved scope and a computed theme run for the demo municipality."""
    from klankbord.meetings.seam import meetings_started_before
    from klankbord.reports import services

    rng = random.Random(2025)
    deployments = _demo_deployments(org)
    if not deployments:
        return ["Reports demo: no locations or surveys, nothing seeded."]
    total = 0
    for deployment, bias in deployments:
        total += add_demo_responses(deployment, rng.randint(90, 130), rng, location_bias=bias)
    db.session.flush()
    ideas = _demo_ideas(org, rng)
    meeting_ids = tuple(sorted(i for i, _ in meetings_started_before(org.id, utcnow())))
    first = min(d.opens_at for d, _ in deployments)
    scope = services.save_scope(
        org,
        services.ScopeData(
            name=(
                "Wonen, koken, taal en privacy: rondes sinds "
                f"{DUTCH_MONTHS[first.month - 1]} {first.year}"
            ),
            deployment_ids=tuple(d.id for d, _ in deployments),
            meeting_ids=meeting_ids,
        ),
    )
    # Store the texts' embeddings first (what the background job would do), so the themes can
    # mix languages and the next re-cluster reuses the vectors.
    from klankbord.embeddings.services import default_embedder, embed_pending_texts

    if default_embedder() is not None:
        embed_pending_texts(limit=5000)
    run = services.recluster_scope(scope, n_resamples=2)
    # Earlier releases of the report, as the nightly job would have made them while the rounds
    # ran, so the trends page shows each location changing over time (reports/trends.py).
    from klankbord.reports import releases

    for days_ago in EARLIER_RELEASES:
        try:
            with db.session.begin_nested():
                releases.make_scope_release(scope, data_until=today() - timedelta(days=days_ago))
        except releases.ReleaseRefused:
            pass
    # The newest releases (data up to yesterday), as the nightly job would make them.
    # Every scope and survey round seeded so far, the residents' open rounds included.
    releases.release_due(org.id)
    return [
        f"Reports demo: {total} survey responses in earlier rounds and {ideas} meeting ideas; "
        f"report '{scope.name}' with {run.n_themes} themes (open Reports)."
    ]
