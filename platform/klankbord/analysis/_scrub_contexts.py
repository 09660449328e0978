"""The scrubber's context words: family and role words, titles, greetings and sign-offs, "I'm",
after which a name is expected (used by ``_scrub_names``; the gate in ``scrub`` reads them too)."""

from __future__ import annotations

from klankbord.analysis._scrub_view import _fold

#: words after which a name is expected: (words, language or None, strength). Strength 2
#: (family word) and 3 (sign-off) take any capitalised word; 1 (greeting, thanks) a listed name, or
#: an unlisted one that ends the text or has a family name after it ("Thanks, Burak Şahin");
#: 0 ("I'm") a listed name or two capitalised words ("Я Катерина Шевчук").
_NAME_CONTEXTS: list[tuple[str, str | None, int]] = [
    # family words; a possessive in front changes nothing, so only the last word is listed
    (
        "moeder vader broer zus zuster zoon dochter man vrouw echtgenoot echtgenote oom tante neef "
        "nicht opa oma kind baby vriend vriendin buurman buurvrouw zwager schoonmoeder schoonvader "
        "schoonzus mama papa collega tolk mentor begeleider",
        None,
        2,
    ),
    (
        "mother mom mum father dad brother sister son daughter husband wife uncle aunt cousin "
        "child "
        "grandmother grandfather friend neighbour neighbor colleague interpreter mentor caseworker",
        None,
        2,
    ),
    (
        "annem babam kardeşim ağabeyim abim ablam oğlum kızım kocam eşim karım amcam teyzem dayım "
        "halam arkadaşım komşum",
        None,
        2,
    ),
    (
        "мама мати матір тато батько брат сестра син донька дочка чоловік дружина дядько тітка "
        "бабуся дідусь друг подруга сусід сусідка",
        None,
        2,
    ),
    (
        "أمي امي أبي ابي والدتي والدي أخي اخي أختي اختي ابني إبني بنتي ابنتي زوجي زوجتي عمي عمتي "
        "خالي خالتي جدي جدتي صديقي صديقتي جاري جارتي ولدي وأمي وأبي وأخي وأختي وزوجي وزوجتي وابني "
        "وابنتي",
        None,
        2,
    ),
    (
        "مادرم پدرم برادرم خواهرم پسرم دخترم شوهرم همسرم خانمم زنم عمویم عموم داییم خالم دوستم "
        "مادربزرگم پدربزرگم دایی‌ام خاله‌ام عمه‌ام همسایه‌ام",
        None,
        2,
    ),
    (
        "ኣደይ ኣቦይ ሓወይ ሓፍተይ ሓብተይ ወደይ ጓለይ ሰብኣየይ ሰበይተይ ቤተይ ዓርከይ መሓዛይ ኣኮይ ሓወቦይ "
        "ሓማተይ ቆልዓይ ጎረቤተይ ኣሕዋተይ ወለደይ",
        None,
        2,
    ),
    # people by their role: staff, teachers, volunteers, doctors, room-mates (and titles)
    (
        "mevrouw meneer dokter juf meester docent docente leraar lerares vrijwilliger "
        "vrijwilligster huisarts medewerker medewerkster kamergenoot klasgenoot "
        "mr mrs ms dr drs mevr mw dhr teacher volunteer doctor nurse worker roommate classmate",
        None,
        2,
    ),
    (
        "doktor öğretmen öğretmenim öğretmenimiz hoca hocamız torunum yengem eniştem kuzenim "
        "gelinim damadım",
        None,
        2,
    ),
    (
        "лікар лікарка вчитель вчителька волонтер волонтерка працівник працівниця пан пані",
        None,
        2,
    ),
    (
        "المعلمة المعلم الأستاذ الأستاذة الدكتور الدكتورة المتطوع المتطوعة الموظف الموظفة "
        "حماتي حمايا زميلي زميلتي",
        None,
        2,
    ),
    ("آقای خانم دکتر معلم معلمم کارمند نوه‌ام همکلاسی‌ام هم‌اتاقی‌ام", None, 2),
    ("ዶክተር መምህር መምህርና መምህርትና መምህርትና ቮሉንቲር ሰራሕተኛ", None, 2),
    # sign-offs (3: as strong as a family word, and what ends the text after them is a signature)
    (
        "groeten groetjes groet mvg regards sincerely cheers saygılarımla saygılar тепло "
        "تحياتي التحية أخوكم أختكم ارادتمند ሰላምታ ብሰላምታ",
        None,
        3,
    ),
    (
        "met_vriendelijke_groet vriendelijke_groet hartelijke_groet best_wishes з_повагою",
        None,
        3,
    ),
    ("با_احترام مع_تحياتي", None, 3),
    # greetings and thanks
    (
        "bedankt hallo hoi beste liefs thanks dear hello hi love selamlar sevgiler teşekkürler "
        "merhaba щиро дякую привіт вітаю شكرا شكراً مرحبا ممنون سپاس የቐንየለይ የቐንየልና",
        None,
        1,
    ),
    (
        "dank_je dank_u je_wel u_wel thank_you many_thanks teşekkür_ederim با_تشکر مع_الشكر",
        None,
        1,
    ),
    # "I'm X" (Dutch "ik ben" is an older lead-in phrase)
    ("i'm im i_am this_is dit_is hier_is أنا انا وأنا وانا ኣነ", None, 0),
    ("ben", "tr", 0),
    ("я", "uk", 0),
    ("من", "fa", 0),
]
#: last word -> [(the words before it, language, strength)]
_CONTEXT_BY_LAST: dict[str, list[tuple[tuple[str, ...], str | None, int]]] = {}
for _words_, _lang, _strength in _NAME_CONTEXTS:
    for _phrase in _words_.split():
        *_before, _last = _phrase.split("_")
        _CONTEXT_BY_LAST.setdefault(_fold(_last), []).append(
            (tuple(map(_fold, _before)), _lang, _strength)
        )
