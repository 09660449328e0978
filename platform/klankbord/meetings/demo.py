"""Demo content: a sounding-board group, a past meeting full of input, a meeting ready to start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from klankbord.accounts.models import Membership, Organisation, Role, User
from klankbord.core.registry import demo_base_url
from klankbord.core.time import today, utcnow
from klankbord.extensions import db
from klankbord.meetings import services
from klankbord.meetings.models import IdeaStatus, MeetingAction, MeetingIdea, MeetingPollAnswer

GROUP_LANGUAGES = ["ar", "ti", "fa", "uk", "en"]

MEMBERS = [
    ("Samira", ["ar", "nl"], False),
    ("Yonas", ["ti"], True),
    ("Maryam", ["fa", "en"], False),
    ("Olena", ["uk", "en"], False),
    ("Abdi", ["ar", "en"], False),
    ("Kidane", ["ti", "ar"], True),
    ("Hamid", ["fa"], True),
    ("Iryna", ["uk"], True),
]

AGENDA = [
    (
        "Zelf koken op de locatie",
        "opvang-en-spreiding",
        {
            "nl": "Wat is nodig zodat je op de locatie zelf kunt koken?",
            "en": "What is needed so that you can cook for yourself at the location?",
            "ar": "ما الذي تحتاجه لتتمكن من الطبخ بنفسك في مكان الإقامة؟",
            "ti": "ኣብቲ መዕቆቢ ባዕልኻ ክተብስል እንታይ የድልየካ?",
            "fa": "چه چیزی لازم است تا بتوانید در محل اقامت خودتان آشپزی کنید؟",
            "uk": "Що потрібно, щоб ви могли самі готувати на локації?",
        },
    ),
    (
        "Taallessen vanaf dag één",
        "inburgering",
        {
            "nl": "Wanneer en hoe wil je Nederlandse les krijgen?",
            "en": "When and how would you like to take Dutch lessons?",
            "ar": "متى وكيف تريد أن تتعلم اللغة الهولندية؟",
            "ti": "መዓስን ከመይን ናይ ሆላንድኛ ትምህርቲ ክትወስድ ትደሊ?",
            "fa": "کی و چطور می‌خواهید درس زبان هلندی بگیرید؟",
            "uk": "Коли і як ви хотіли б вивчати нідерландську мову?",
        },
    ),
    (
        "Privacy en rust op de kamer",
        "huisvesting",
        {
            "nl": "Wat zou je privacy en rust op de locatie verbeteren?",
            "en": "What would improve your privacy and rest at the location?",
            "ar": "ما الذي يمكن أن يحسن خصوصيتك وراحتك في مكان الإقامة؟",
            "ti": "ኣብቲ መዕቆቢ ብሕትውናኻን ዕረፍትኻን እንታይ ከመሓይሾ ይኽእል?",
            "fa": "چه چیزی حریم خصوصی و آرامش شما را در محل اقامت بهتر می‌کند؟",
            "uk": "Що покращило б вашу приватність і спокій на локації?",
        },
    ),
]

IDEAS = [
    (0, "ar", "نحتاج مطبخًا مشتركًا صغيرًا لكل ممر، مع جدول لأوقات الطبخ.", IdeaStatus.APPROVED, 9),
    (0, "ti", "ባዕልና ምግቢ ክንገዝእ ዝኽእል ገንዘብ ሃቡና፣ ንሕና ባዕልና ከነብስል ንኽእል።", IdeaStatus.APPROVED, 7),
    (
        0,
        "nl",
        "Een koelkast per gezin, zodat eten niet weggegooid hoeft te worden.",
        IdeaStatus.APPROVED,
        6,
    ),
    (
        0,
        "uk",
        "Можна готувати разом з сусідами з міста — так ми швидше вивчимо мову.",
        IdeaStatus.APPROVED,
        4,
    ),
    (0, "en", "Whatever, this meeting is useless.", IdeaStatus.HIDDEN, 0),
    (
        1,
        "fa",
        "کلاس زبان باید از هفته اول شروع شود، نه بعد از گرفتن اقامت.",
        IdeaStatus.APPROVED,
        11,
    ),
    (
        1,
        "ar",
        "دروس في المساء لأن الكثير منا يعمل أو يعتني بالأطفال في النهار.",
        IdeaStatus.APPROVED,
        8,
    ),
    (1, "ti", "ንቖልዑ ዝሕሉ ሰብ ምስ ዝህሉ፣ ኣዴታት እውን ክመሃራ ይኽእላ።", IdeaStatus.APPROVED, 6),
    (
        1,
        "en",
        "Volunteers from the neighbourhood for conversation practice once a week.",
        IdeaStatus.PENDING,
        0,
    ),
    (2, "fa", "یک اتاق آرام برای درس خواندن و نماز.", IdeaStatus.APPROVED, 5),
    (2, "uk", "Замки на дверях кімнат і шафи, що зачиняються.", IdeaStatus.APPROVED, 7),
    (
        2,
        "nl",
        "Dat we gehoord worden: vaker zo'n avond als deze, en laten weten wat ermee gebeurt.",
        IdeaStatus.APPROVED,
        10,
    ),
]


def _facilitator(org: Organisation) -> list[int]:
    users = (
        db.session.execute(
            select(User.id)
            .join(Membership)
            .where(Membership.organisation_id == org.id, Membership.role == Role.FACILITATOR.value)
        )
        .scalars()
        .all()
    )
    return list(users)


def next_evening(now: datetime, tz_name: str, days_before: int = 0) -> datetime:
    """The coming evening at 19:30 local time (or that many days before), as naive UTC.

    The demo's meeting "ready to start" must look planned by a person (a round hour, this evening
    or tomorrow's), not stamped with the second the seed ran; the past meeting was held at the
    same local hour, summer time or not.
    """
    local = now.replace(tzinfo=UTC).astimezone(ZoneInfo(tz_name))
    evening = local.replace(hour=19, minute=30, second=0, microsecond=0)
    if evening <= local:
        evening += timedelta(days=1)
    day = (evening - timedelta(days=days_before)).date()
    evening = datetime(day.year, day.month, day.day, 19, 30, tzinfo=ZoneInfo(tz_name))
    return evening.astimezone(UTC).replace(tzinfo=None)


def seed_demo(org: Organisation) -> list[str]:
    """Create the demo group, a past and an upcoming meeting; return lines to print."""
    group = services.create_group(
        org.id,
        "Klankbordgroep Voorbeeldstad",
        "Bewoners van de opvanglocaties en statushouders denken mee over opvang, wonen, "
        "inburgering en werk.",
        GROUP_LANGUAGES,
        _facilitator(org),
    )
    themes = {theme.key: theme for theme in services.active_themes(org.id)}
    members = [
        services.add_member(
            group,
            services.MemberData(
                alias=alias,
                languages=langs,
                interpreter_needed=interpreter,
                consent_date=today() - timedelta(days=60),
                consent_scope="Deelname aan de klankbordgroep",
                consent_given_by="het lid zelf",
                contact_consent=False,
                contact=None,
            ),
        )
        for alias, langs, interpreter in MEMBERS
    ]

    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    tonight = next_evening(utcnow(), zone)
    past = services.create_meeting(
        group,
        "Klankbordavond: koken, taal en rust",
        next_evening(utcnow(), zone, days_before=46),
        place="AZC Voorbeeldstad-Oost, recreatieruimte",
        interpreters=["ar", "ti"],
    )
    items = [
        services.add_agenda_item(past, title, themes[key].id, question)
        for title, key, question in AGENDA
    ]
    services.start_meeting(past)
    # The meeting was held on its date: its ideas and times lie in the past, not at seeding time.
    past.started_at = past.starts_at + timedelta(minutes=5)
    for index, lang, text, status, supports in IDEAS:
        past.current_item_id = items[index].id
        idea = services.submit_idea(past, text, lang)
        idea.status = status.value
        idea.support_count = supports
        idea.created_on = past.starts_at.date()
    poll = services.create_poll(
        past,
        {
            "nl": "Wanneer wil je het liefst les?",
            "en": "When would you prefer lessons?",
            "ar": "متى تفضل الدروس؟",
            "ti": "መዓስ ትምህርቲ ትመርጽ?",
            "fa": "ترجیح می‌دهید کی درس داشته باشید؟",
            "uk": "Коли вам зручніше навчатися?",
        },
        [
            {
                "nl": "Ochtend",
                "en": "Morning",
                "ar": "صباحًا",
                "ti": "ንግሆ",
                "fa": "صبح",
                "uk": "Зранку",
            },
            {
                "nl": "Middag",
                "en": "Afternoon",
                "ar": "ظهرًا",
                "ti": "ድሕሪ ቐትሪ",
                "fa": "بعدازظهر",
                "uk": "Вдень",
            },
            {
                "nl": "Avond",
                "en": "Evening",
                "ar": "مساءً",
                "ti": "ምሸት",
                "fa": "عصر",
                "uk": "Увечері",
            },
        ],
        agenda_item_id=items[1].id,
    )
    services.open_poll(poll)
    for n, option in enumerate([0, 2, 2, 1, 2, 0, 2, 2, 1, 2, 2]):
        db.session.add(
            MeetingPollAnswer(
                poll_id=poll.id,
                participant_key=f"demo-{n}",
                option_index=option,
                lang=GROUP_LANGUAGES[n % len(GROUP_LANGUAGES)],
            )
        )
    services.finish_meeting(past)
    past.finished_at = past.starts_at + timedelta(hours=2)
    poll.opened_at = past.starts_at + timedelta(minutes=50)
    poll.closed_at = past.starts_at + timedelta(minutes=60)
    services.set_attendance(past, 14, [m.id for m in members[:6]])
    items[
        0
    ].notes = "Iedereen wil zelf koken; nu is er alleen een cateraar. Zorg over hygiëne en ruimte."
    items[0].decisions = "Gemeente onderzoekt met het COA een gedeelde keuken per gang."
    items[
        1
    ].notes = (
        "Les moet vroeg beginnen, ook voor wie nog geen status heeft. Kinderopvang is een drempel."
    )
    items[1].decisions = "Proef met avondles en kinderopvang in het buurthuis."
    items[2].notes = "Geen slot op de kamerdeur; weinig rust om te leren."
    items[2].decisions = "Vraag aan COA: sloten en een stille ruimte."
    action_data = [
        (
            "Met het COA afspraken maken over een gedeelde keuken per gang",
            "Team Opvang",
            10,
            "in_progress",
            0,
        ),
        (
            "Avondles met kinderopvang starten in buurthuis De Linde",
            "Team Inburgering",
            30,
            "done",
            1,
        ),
        (
            "Sloten op kamerdeuren en een stille ruimte aanvragen bij het COA",
            "Team Opvang",
            -7,
            "open",
            2,
        ),
    ]
    actions: list[MeetingAction] = []
    for description, owner, days_from_now, status, item_index in action_data:
        actions.append(
            services.add_action(
                past,
                services.ActionData(
                    description=description,
                    owner=owner,
                    due_date=today() + timedelta(days=days_from_now),
                    status=status,
                    agenda_item_id=items[item_index].id,
                ),
            )
        )
    services.create_update(
        group,
        services.UpdateData(
            title={
                "nl": "Avondles met kinderopvang is gestart",
                "en": "Evening lessons with childcare have started",
                "ar": "بدأت الدروس المسائية مع رعاية الأطفال",
                "ti": "ናይ ምሸት ትምህርቲ ምስ ሕልዊ ቆልዑ ጀሚሩ",
                "fa": "کلاس‌های عصر همراه با نگهداری از کودکان شروع شد",
                "uk": "Почалися вечірні уроки з доглядом за дітьми",
            },
            result={
                "nl": "Jullie vroegen om les in de avond en opvang voor de kinderen. Sinds deze "
                "maand is er "
                "twee keer per week avondles in buurthuis De Linde, met kinderopvang.",
                "en": "You asked for evening lessons and childcare. Since this month there are "
                "evening lessons "
                "twice a week in community centre De Linde, with childcare.",
                "ar": "طلبتم دروسًا مسائية ورعاية للأطفال. منذ هذا الشهر توجد دروس مسائية مرتين "
                "في الأسبوع "
                "في المركز المجتمعي دي لينده، مع رعاية الأطفال.",
                "ti": "ናይ ምሸት ትምህርትን ሕልዊ ቆልዑን ሓቲትኩም። ካብዚ ወርሒ ጀሚሩ ኣብ ማእከል ደ ሊንደ ኣብ ሰሙን ክልተ ግዜ "
                "ናይ ምሸት ትምህርቲ ምስ ሕልዊ ቆልዑ ኣሎ።",
                "fa": "شما کلاس عصر و نگهداری از کودکان خواستید. از این ماه هفته‌ای دو بار در "
                "مرکز محله "
                "د لینده کلاس عصر با نگهداری از کودکان برگزار می‌شود.",
                "uk": "Ви просили вечірні уроки та догляд за дітьми. З цього місяця двічі на "
                "тиждень у "
                "громадському центрі De Linde проходять вечірні уроки з доглядом за дітьми.",
            },
            not_done={
                "nl": "Les vanaf de eerste week voor iedereen lukt nog niet: de gemeente betaalt "
                "alleen les "
                "voor statushouders. We hebben dit bij het Rijk aangekaart.",
                "en": "Lessons from the first week for everyone are not yet possible: the "
                "municipality only "
                "pays for status holders. We have raised this with the national government.",
                "ar": "الدروس من الأسبوع الأول للجميع غير ممكنة بعد: البلدية تدفع فقط لحاملي "
                "الإقامة. "
                "لقد طرحنا هذا الأمر على الحكومة الوطنية.",
            },
            theme_name=themes["inburgering"].name_nl,
            agenda_item_id=items[1].id,
            action_id=actions[1].id,
            publish=True,
        ),
    )

    upcoming = services.create_meeting(
        group,
        "Klankbordavond: werk en wonen",
        tonight,
        place="Stadhuis Voorbeeldstad, zaal 2",
        interpreters=["ar", "ti", "fa"],
    )
    services.add_agenda_item(
        upcoming,
        "Eerste stappen naar werk",
        themes["werk"].id,
        {
            "nl": "Wat helpt jou het meest om werk te vinden?",
            "en": "What helps you most to find work?",
            "ar": "ما الذي يساعدك أكثر في العثور على عمل؟",
            "ti": "ስራሕ ንምርካብ ብዝያዳ እንታይ ይሕግዘካ?",
            "fa": "چه چیزی بیشتر از همه به شما در پیدا کردن کار کمک می‌کند؟",
            "uk": "Що найбільше допомагає вам знайти роботу?",
        },
    )
    services.add_agenda_item(
        upcoming,
        "Een eigen plek",
        themes["huisvesting"].id,
        {
            "nl": "Wat vind je belangrijk aan een eerste eigen woning?",
            "en": "What matters to you in a first home of your own?",
            "ar": "ما المهم بالنسبة لك في أول سكن خاص بك؟",
            "ti": "ኣብ ቀዳማይ ናይ ባዕልኻ ገዛ እንታይ ኣገዳሲ እዩ ንዓኻ?",
            "fa": "در اولین خانه شخصی‌تان چه چیزی برایتان مهم است؟",
            "uk": "Що для вас важливо в першому власному житлі?",
        },
    )
    db.session.flush()
    ideas = (
        db.session.execute(select(MeetingIdea.id).where(MeetingIdea.meeting_id == past.id))
        .scalars()
        .all()
    )
    base = demo_base_url()
    return [
        f"Sounding-board group '{group.name}': {len(members)} members, "
        f"a past meeting with {len(ideas)} ideas "
        f"and a meeting ready to start.",
        f"  participant link (live once a facilitator starts it): {base}/m/{upcoming.join_code}",
        f"  public 'you said, we did' page:                      {base}/g/{group.public_code}",
    ]
