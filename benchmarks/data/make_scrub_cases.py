"""Write the scrubber's labelled test set: planted identifiers in the seven languages.

Run once (``python benchmarks/data/make_scrub_cases.py``); the JSONL files it writes are the data,
committed and read by ``benchmarks/scrub.py`` and ``tests/analysis/test_scrub.py``. It was written
before the name rules were tuned, and the split is fixed: a third of the cases (chosen by a seeded
shuffle) and every case that uses a name of ``HOLDOUT_NAMES`` go to ``scrub-holdout.jsonl``, which
tuning never looked at. Negatives (``scrub-negatives.jsonl``) are the demo texts of
reports/demo.py, meetings/demo.py and the survey definitions, plus hand-written sentences that use
names which are also ordinary words ("hoop", "أمل", "Umut") as words.

``scrub-holdout2.jsonl`` was written after the first held-out run had been read (it showed the
name list missing names, so the list was widened with Wiktionary's name categories and a
greeting before an unlisted signature was accepted): new names, chosen without looking them up
in the list, in new sentences, and never used while tuning.

Each line: {"id", "lang", "text", "pii": [{"kind", "value"}]}. ``value`` is the planted text as it
appears; the benchmark counts it found when none of its characters' words survive.
"""

from __future__ import annotations

import ast
import json
import random
import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "benchmarks" / "data"
RNG = random.Random(14)

ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def local_digits(value: str, lang: str) -> str:
    """Half of the Arabic and Farsi cases write their digits in the local script."""
    if lang == "ar" and RNG.random() < 0.5:
        return value.translate(ARABIC_DIGITS)
    if lang == "fa" and RNG.random() < 0.5:
        return value.translate(PERSIAN_DIGITS)
    return value


# ---------------------------------------------------------------- values
def digits(n: int) -> str:
    return "".join(RNG.choice("0123456789") for _ in range(n))


def phone() -> str:
    d = digits(8)
    return RNG.choice(
        [
            f"06-{d[:4]}-{d[4:]}",
            f"06 {d}",
            f"06{d}",
            f"+31 6 {d[:4]} {d[4:]}",
            f"0031 6 {d}",
            f"6-{d[:4]}-{d[4:]}",
            f"06 - {d[:2]} {d[2:4]} {d[4:6]} {d[6:]}",
            f"(06) {d[:4]} {d[4:]}",
            f"+31 (0)6 {d}",
            f"06.{d[:2]}.{d[2:4]}.{d[4:6]}.{d[6:]}",
            f"020-{d[:3]} {d[3:7]}",
            f"+963 9{d[:2]} {d[2:5]} {d[5:8]}",
            f"+98 912 {d[:3]} {d[3:7]}",
            f"0912 {d[:3]} {d[3:7]}",
            f"+90 532 {d[:3]} {d[3:5]} {d[5:7]}",
            f"0532 {d[:3]} {d[3:5]} {d[5:7]}",
            f"+380 50 {d[:3]} {d[3:7]}",
            f"050 {d[:3]} {d[3:5]} {d[5:7]}",
            f"+291 7 {d[:6]}",
            f"+93 70 {d[:3]} {d[3:7]}",
            f"6 {d[:2]} {d[2:4]} {d[4:6]} {d[6:]}",
            f"0{RNG.choice('67')}—{d}",
        ]
    )


MAIL_LOCAL = ["fatima", "yonas.t", "ahmad_88", "olena.k", "mehmet1990", "sara", "amir.r", "helen"]
MAIL_DOMAIN = [
    ("gmail", "com"),
    ("hotmail", "nl"),
    ("outlook", "com"),
    ("yahoo", "com"),
    ("ukr", "net"),
    ("ziggo", "nl"),
    ("icloud", "com"),
    ("live", "nl"),
]


def email(lang: str) -> str:
    user, (dom, tld) = RNG.choice(MAIL_LOCAL), RNG.choice(MAIL_DOMAIN)
    forms = [
        f"{user}@{dom}.{tld}",
        f"{user} [at] {dom} [dot] {tld}",
        f"{user} at {dom} dot {tld}",
        f"{user}(at){dom}(dot){tld}",
        f"{user} @ {dom} . {tld}",
        f"{user}＠{dom}.{tld}",
        f"{user} [at] {dom}.{tld}",
        f"{user} at {dom}.{tld}",
    ]
    local = {
        "ar": [f"{user} ات {dom} نقطة {tld}", f"{user} @ {dom} . {tld}"],
        "fa": [f"{user} ات {dom} دات {tld}", f"{user} at {dom} نقطه {tld}"],
        "uk": [f"{user} собака {dom} крапка {tld}", f"{user} равлик {dom}.{tld}"],
        "tr": [f"{user} at {dom} nokta {tld}"],
        "nl": [f"{user} apenstaartje {dom} punt {tld}"],
    }
    return RNG.choice(forms + local.get(lang, []))


def bsn() -> str:
    while True:
        d = [RNG.randrange(10) for _ in range(8)]
        last = sum(x * w for x, w in zip(d, range(9, 1, -1), strict=True)) % 11
        if last < 10 and d[0] != 0:
            s = "".join(map(str, d)) + str(last)
            return RNG.choice([s, f"{s[:3]} {s[3:6]} {s[6:]}", f"{s[:3]}.{s[3:6]}.{s[6:]}"])


def iban() -> str:
    country, length = RNG.choice([("NL", 18), ("NL", 18), ("BE", 16), ("DE", 22), ("TR", 26)])
    bank = {"NL": RNG.choice(["ABNA", "INGB", "RABO", "TRIO", "SNSB"])}.get(country, "")
    bban = bank + digits(length - 4 - len(bank))
    num = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    value = f"{country}{98 - int(num) % 97:02d}{bban}"
    if RNG.random() < 0.5:
        value = " ".join(value[i : i + 4] for i in range(0, len(value), 4))
    return value


def vnummer() -> str:
    d = str(RNG.randrange(1, 10)) + digits(9)
    return RNG.choice(
        [d, f"{d[:2]} {d[2:4]} {d[4:6]} {d[6:8]} {d[8:]}", f"{d[:4]}.{d[4:7]}.{d[7:]}"]
    )


def postcode() -> str:
    letters = RNG.choice("ABCDEGHJKLMNPRTVWXZ") + RNG.choice("ABCEGHJKLMNPRTVWXZ")
    code = f"{RNG.randrange(1000, 9999)}{letters}"
    return code if RNG.random() < 0.5 else f"{code[:4]} {code[4:]}"


def address(lang: str) -> str:
    pc, nr = (
        postcode(),
        str(RNG.randrange(1, 250)) + RNG.choice(["", "", "", "a", "b", "-2", " hs"]),
    )
    street = RNG.choice(["Kerkstraat", "Stationsweg", "Dorpsstraat", "Julianalaan", "Molenweg"])
    forms = [
        f"{pc} {nr}",
        f"{pc}, {nr}",
        f"postcode {pc} huisnummer {nr}",
        f"{pc}, nr {nr}",
        f"{pc} nr. {nr}",
        f"huisnummer {nr}, postcode {pc}",
        f"{street} {nr}, {pc}",
        f"{street} {nr} {pc}",
    ]
    local = {
        "ar": [f"الرمز البريدي {pc} رقم المنزل {nr}", f"{pc} رقم {nr}"],
        "fa": [f"کد پستی {pc} پلاک {nr}", f"{pc} پلاک {nr}"],
        "tr": [f"posta kodu {pc} kapı no {nr}", f"{pc} no {nr}"],
        "uk": [f"індекс {pc}, будинок {nr}", f"{pc}, буд. {nr}"],
        "en": [f"postcode {pc} house number {nr}", f"{pc} number {nr}"],
        "ti": [f"{pc} ቁጽሪ ገዛ {nr}"],
    }
    return local_digits(RNG.choice(forms + local.get(lang, [])), lang)


ROOMS = {
    "nl": ["kamer {n}", "AZC kamer {n}", "kamernummer {n}", "kamer nr {n}"],
    "en": ["room {n}", "room number {n}", "AZC room {n}"],
    "ar": ["غرفة رقم {n}", "الغرفة {n}", "غرفتي {n}", "رقم الغرفة {n}"],
    "fa": ["اتاق {n}", "اتاق شماره {n}", "شماره اتاقم {n}"],
    "tr": ["oda {n}", "oda numarası {n}", "{n} numaralı oda"],
    "uk": ["кімната {n}", "кімнаті № {n}", "номер кімнати {n}"],
    "ti": ["ክፍሊ {n}", "ክፍሊ ቁጽሪ {n}", "ቁጽሪ ክፍሊ {n}"],
}


def room(lang: str) -> str:
    n = str(RNG.randrange(1, 400)) + RNG.choice(["", "", "", "b", "A"])
    return local_digits(RNG.choice(ROOMS[lang]).format(n=n), lang)


# ---------------------------------------------------------------- names
#: names used while tuning
DEV_NAMES = {
    "latin": [
        "Fatima Ahmadi",
        "Amina Yusuf",
        "Yonas Tesfaye",
        "Mehmet Yılmaz",
        "Olena Kovalenko",
        "Ahmed Hassan",
        "Senait Haile",
        "Zahra Rezaei",
        "Abdi Warsame",
        "Ayşe Demir",
        "Mohammed",
        "Khadija",
        "Samira",
        "Dawit",
        "Iryna",
        "Hamid Karimi",
        "Luwam",
    ],
    "ar": ["فاطمة أحمد", "أمينة يوسف", "محمد علي", "خالد", "مريم", "سارة حسين", "عمر"],
    "fa": ["زهرا رضایی", "علی احمدی", "مریم", "حسین", "فاطمه", "رضا کریمی"],
    "ti": ["ዮናስ ተስፋይ", "ሰናይት", "ዳዊት ሃይለ", "ሉዋም", "ሳባ"],
    "uk": ["Олена Коваленко", "Ірина", "Тарас Шевченко", "Наталія", "Андрій Мельник"],
}
#: names kept out of tuning: only the held-out file uses them
HOLDOUT_NAMES = {
    "latin": [
        "Khalid Omar",
        "Meron Kidane",
        "Farid Noori",
        "Emine Kaya",
        "Oksana Bondarenko",
        "Rania Saleh",
        "Filmon Gebre",
        "Maryam Hosseini",
        "Hodan Ali",
        "Burak Şahin",
        "Youssef",
        "Hiwet",
        "Parisa",
        "Mustafa",
        "Kateryna",
    ],
    "ar": ["ليلى حسن", "يوسف إبراهيم", "رنا", "أحمد خليل", "زينب"],
    "fa": ["پریسا حسینی", "محمد رحیمی", "شیرین", "مهدی", "نرگس محمدی"],
    "ti": ["መሓሪ ግርማይ", "ሄለን", "ፍሉሞን", "ሮቤል ተኽለ"],
    "uk": ["Оксана Бондаренко", "Дмитро", "Катерина Шевчук", "Юлія"],
}

NAME_TEMPLATES = {
    "nl": [
        "Groeten, {N}",
        "mijn moeder {N} is ziek",
        "Met vriendelijke groet,\n{N}",
        "Mijn broer {N} wacht al een jaar op een huis.",
        "Gisteren heeft {N} mij geholpen met de brief.",
        "Bedankt, {N}",
        "Ik heb dit samen met mijn zus {N} geschreven.",
        "Hoi, ik ben {N} en ik woon hier al twee jaar.",
    ],
    "en": [
        "I'm {N} and I live in the AZC.",
        "Regards, {N}",
        "my brother {N} is still in Libya",
        "Thanks, {N}",
        "My wife {N} needs a doctor.",
        "Yesterday {N} helped me with the forms.",
        "Best wishes,\n{N}",
        "Hello, I am {N} from Eritrea.",
    ],
    "ar": [
        "أخي {N} مريض",
        "مع تحياتي، {N}",
        "أنا {N} من سوريا",
        "زوجتي {N} تحتاج إلى طبيب",
        "شكرا، {N}",
        "أمي {N} لا تستطيع المشي",
        "ساعدتني صديقتي {N} في الترجمة",
    ],
    "fa": [
        "برادرم {N} مریض است",
        "با احترام، {N}",
        "من {N} هستم و از افغانستان آمدم",
        "همسرم {N} به دکتر نیاز دارد",
        "با تشکر، {N}",
        "مادرم {N} نمی‌تواند راه برود",
    ],
    "tr": [
        "annem {N} hasta",
        "Saygılarımla, {N}",
        "Ben {N}, Suriye'den geldim.",
        "Kardeşim {N} hâlâ bekliyor.",
        "Teşekkürler, {N}",
        "eşim {N} doktora gitmeli",
    ],
    "uk": [
        "моя мама {N} хворіє",
        "З повагою, {N}",
        "Я {N}, приїхала з Харкова.",
        "Мій брат {N} досі чекає на житло.",
        "Дякую, {N}",
        "моя донька {N} ходить до школи",
    ],
    "ti": [
        "ሓወይ {N} ሓሚሙ ኣሎ",
        "ምስ ሰላምታ፣ {N}",
        "ኣነ {N} እየ",
        "ኣደይ {N} ሕማም ኣለዋ",
        "የቐንየለይ፣ {N}",
        "ሰበይተይ {N} ሓኪም የድልያ",
    ],
}
SCRIPT_OF = {
    "nl": "latin",
    "en": "latin",
    "tr": "latin",
    "ar": "ar",
    "fa": "fa",
    "ti": "ti",
    "uk": "uk",
}

# ---------------------------------------------------------------- sentences per kind
TEMPLATES = {
    "nl": {
        "phone": [
            "Bel me op {X} als er nieuws is.",
            "mijn nummer is {X}",
            "WhatsApp: {X}",
            "tel {X} (na 17 uur)",
        ],
        "email": ["Mail mij op {X} graag.", "mijn mail is {X}", "stuur het naar {X}, dank u"],
        "bsn": ["Mijn BSN is {X}.", "bsn {X}", "burgerservicenummer: {X}"],
        "iban": ["Mijn rekening is {X}.", "IBAN {X} op naam van mij"],
        "vnummer": ["Mijn V-nummer is {X}.", "v-nr {X}", "vreemdelingennummer {X}"],
        "address": [
            "Ik woon op {X} in Zwolle.",
            "adres: {X}",
            "Mijn adres is {X}, kom gerust langs.",
        ],
        "room": [
            "Ik woon in {X} en de verwarming is kapot.",
            "Kom naar {X}, daar is het koud.",
            "{X} heeft schimmel",
        ],
    },
    "en": {
        "phone": ["Call me on {X} please.", "my number is {X}", "phone {X}"],
        "email": ["Email me at {X} please.", "my email is {X}", "write to {X}"],
        "bsn": ["My BSN is {X}.", "citizen service number {X}"],
        "iban": ["My bank account is {X}.", "IBAN: {X}"],
        "vnummer": ["My V-number is {X}.", "V number {X}"],
        "address": ["I live at {X} now.", "address: {X}"],
        "room": ["I live in {X} and there is mould.", "Please fix the heater in {X}."],
    },
    "ar": {
        "phone": ["رقمي {X}", "اتصل بي على {X} من فضلك", "واتساب {X}"],
        "email": ["بريدي الإلكتروني {X}", "راسلني على {X}"],
        "bsn": ["رقم BSN الخاص بي {X}", "رقمي الشخصي BSN هو {X}"],
        "iban": ["حسابي البنكي {X}", "رقم الآيبان {X}"],
        "vnummer": ["رقم V الخاص بي {X}", "V-nummer {X}"],
        "address": ["عنواني {X}", "أسكن في {X} في زفولة"],
        "room": ["أسكن في {X} والتدفئة لا تعمل", "{X} فيها رطوبة"],
    },
    "fa": {
        "phone": ["شماره من {X}", "لطفا با {X} تماس بگیرید", "واتساپ {X}"],
        "email": ["ایمیل من {X}", "به {X} ایمیل بزنید"],
        "bsn": ["شماره BSN من {X}", "BSN من {X} است"],
        "iban": ["حساب بانکی من {X}", "شماره IBAN من {X}"],
        "vnummer": ["شماره V من {X}", "V-nummer من {X}"],
        "address": ["آدرس من {X}", "من در {X} زندگی می‌کنم"],
        "room": ["من در {X} زندگی می‌کنم و گرم نیست", "{X} کپک زده است"],
    },
    "tr": {
        "phone": ["Numaram {X}", "beni {X} numarasından arayın", "telefon: {X}"],
        "email": ["e-postam {X}", "bana {X} adresine yazın"],
        "bsn": ["BSN numaram {X}", "BSN: {X}"],
        "iban": ["Banka hesabım {X}", "IBAN {X}"],
        "vnummer": ["V numaram {X}", "V-nummer {X}"],
        "address": ["Adresim {X}", "{X} adresinde oturuyorum"],
        "room": ["{X} çok soğuk", "{X} da kalıyorum, kalorifer bozuk"],
    },
    "uk": {
        "phone": ["Мій номер {X}", "телефонуйте {X}", "вайбер {X}"],
        "email": ["моя пошта {X}", "пишіть на {X}"],
        "bsn": ["Мій BSN {X}", "номер BSN: {X}"],
        "iban": ["Мій рахунок {X}", "IBAN {X}"],
        "vnummer": ["Мій V-номер {X}", "V-nummer {X}"],
        "address": ["Моя адреса {X}", "живу за адресою {X}"],
        "room": ["Я живу в {X}, там холодно", "У {X} пліснява"],
    },
    "ti": {
        "phone": ["ቁጽሪ ተሌፎነይ {X} እዩ", "ብ {X} ደውሉለይ", "ዋትሳፕ {X}"],
        "email": ["ኢመይለይ {X}", "ናብ {X} ጽሓፉለይ"],
        "bsn": ["ቁጽሪ BSN {X}", "BSN {X}"],
        "iban": ["ሕሳብ ባንከይ {X}", "IBAN {X}"],
        "vnummer": ["V-nummer {X}", "ቁጽሪ V {X}"],
        "address": ["ኣድራሻይ {X}", "ኣብ {X} እነብር"],
        "room": ["ኣብ {X} እነብር፣ ዝሑል እዩ", "{X} ሓሙኽሽቲ ኣለዎ"],
    },
}

#: sentences that use name-like words as words: each must come out unchanged
HARD_NEGATIVES = {
    "nl": [
        "Er is weinig hoop op een eigen huis.",
        "Hoop doet leven, zeggen ze.",
        "Wil je de kachel maken?",
        "Dan moeten we weer wachten.",
        "Mark de datum in de agenda.",
        "Roos en tulpen in de tuin zijn mooi.",
        "Ik ben moe en heb hoofdpijn.",
        "De Tweede Kamer moet dit weten.",
        "We slapen met 6 mensen op 1 kamer.",
        "Een kamer van 12 m2 is te klein voor 4 mensen.",
        "Ik woon al 2 jaar in Nederland.",
        "Kijk eens naar de website van de gemeente.",
        "Mijn moeder is ziek en mijn broer ook.",
        "Groeten aan iedereen van de taalles!",
        "Bedankt voor de hulp van de medewerkers.",
    ],
    "en": [
        "There is hope for the future.",
        "Will the kitchen open on Sunday?",
        "Grace and patience help us.",
        "Can we cook ourselves?",
        "I'm happy with the Dutch lessons.",
        "my brother is sick",
        "Thanks for listening to us.",
        "Look at the photo of the kitchen.",
        "I am Syrian and I live here.",
        "Regards to the staff.",
        "We wait at home every day.",
        "The room is too small for 5 people.",
    ],
    "ar": [
        "عندي أمل كبير في المستقبل",
        "نور الشمس لا يدخل الغرفة",
        "أخي مريض منذ أسبوع",
        "الحمد لله نحن بخير",
        "الطعام جميل لكن قليل",
        "سلام عليكم، نحتاج إلى مطبخ",
        "أنا سعيد هنا",
        "شكرا على المساعدة",
        "الإيمان يعطينا القوة",
        "أمي تحتاج إلى طبيب",
    ],
    "fa": [
        "امید داریم خانه بگیریم",
        "بهار در هلند سرد است",
        "برادرم مریض است",
        "با تشکر از کمک شما",
        "نور آفتاب به اتاق نمی‌آید",
        "من خوشحال هستم",
        "آرزو دارم درس بخوانم",
    ],
    "tr": [
        "Umut ediyorum ki ev bulurum.",
        "Deniz kenarında yürümek istiyorum.",
        "Can sıkıntısı çok fazla.",
        "Annem hasta ve doktora gitmeli.",
        "Teşekkürler, çok yardımcı oldunuz.",
        "Ben Suriye'den geldim.",
        "Hayat burada zor.",
    ],
    "uk": [
        "Надія є, але житла немає.",
        "Віра допомагає нам.",
        "Моя мама хворіє.",
        "Дякую за допомогу.",
        "Я з України і живу тут рік.",
        "Любов до дітей — головне.",
    ],
    "ti": ["ሰላም ንኹልኹም", "ተስፋ ኣሎና", "ሓወይ ሓሚሙ ኣሎ", "የቐንየለይ ንሓገዝኩም", "ኣነ ካብ ኤርትራ እየ"],
}


#: the second held-out set: names and sentences used nowhere else
HOLDOUT2_NAMES = {
    "latin": [
        "Nadia Haddad",
        "Tesfalem Berhe",
        "Soraya Ahmadzai",
        "Emre Çelik",
        "Bilal Othman",
        "Viktoriia Lysenko",
        "Aklilu Tekle",
        "Hadia Sultani",
        "Zeynep Arslan",
        "Layla",
        "Abdullahi",
        "Mahsa",
        "Hüseyin",
        "Svitlana",
        "Mulugeta",
        "Jamila",
        "Tariq Aziz",
    ],
    "ar": ["نادية حداد", "بلال عثمان", "جميلة", "طارق عزيز", "هبة", "سامر خليل"],
    "fa": ["مهسا سلطانی", "حمید", "سمیرا", "فرهاد کریمی", "لیلا"],
    "ti": ["ተስፋልደት በርሀ", "ሚኪኤል", "ኣክሊሉ ተኽለ", "ሳምራዊት", "ብርሃነ"],
    "uk": ["Вікторія Лисенко", "Богдан", "Світлана Ткаченко", "Олександр", "Ганна"],
}
HOLDOUT2_TEMPLATES = {
    "nl": [
        "Vriendelijke groeten, {N}",
        "Namens mijn vrouw {N}: dank voor de hulp.",
        "Vorige week is {N} naar het ziekenhuis gebracht.",
        "Groetjes {N}",
        "Mijn zoon {N} zit op school in Zwolle.",
    ],
    "en": [
        "Kind regards,\n{N}",
        "Yesterday my husband {N} went to the doctor.",
        "Thank you, {N}",
        "Please call my sister {N} about the room.",
        "This is {N} writing for the group.",
    ],
    "ar": [
        "مع خالص التحية، {N}",
        "ابني {N} يذهب إلى المدرسة",
        "زوجي {N} يعمل في المطبخ",
        "تحياتي {N}",
    ],
    "fa": ["دخترم {N} به مدرسه می‌رود", "ارادتمند، {N}", "شوهرم {N} کار می‌کند", "سپاس، {N}"],
    "tr": ["Oğlum {N} okula gidiyor.", "Sevgiler, {N}", "Kızım {N} hasta.", "Merhaba, ben {N}."],
    "uk": [
        "Мій син {N} ходить до школи.",
        "Щиро, {N}",
        "Моя сестра {N} теж тут.",
        "Привіт, я {N}.",
    ],
    "ti": ["ወደይ {N} ናብ ቤት ትምህርቲ ይኸይድ", "ብሰላምታ፣ {N}", "ሓፍተይ {N} ሓሚማ ኣላ", "ኣነ {N} እየ፣ ካብ ኤርትራ"],
}
HOLDOUT2_STRUCTURED = {
    "nl": ["U kunt mij bereiken via {X}.", "Stuur de post naar {X} a.u.b."],
    "en": ["You can reach me via {X}.", "Send the letter to {X} please."],
    "ar": ["يمكنكم التواصل معي عبر {X}", "أرسلوا الرسالة إلى {X}"],
    "fa": ["از طریق {X} با من در تماس باشید", "نامه را به {X} بفرستید"],
    "tr": ["Bana {X} üzerinden ulaşabilirsiniz.", "Mektubu {X} adresine gönderin."],
    "uk": ["Зв'яжіться зі мною через {X}.", "Надішліть лист на {X}."],
    "ti": ["ብ {X} ክትረኽቡኒ ትኽእሉ", "ደብዳበ ናብ {X} ስደዱ"],
}
HOLDOUT2_NEGATIVES = {
    "nl": [
        "De hoop blijft.",
        "Mijn vrouw en ik wachten.",
        "Groeten uit Zwolle!",
        "Bedankt allemaal!",
    ],
    "en": [
        "Thank you all for listening.",
        "My husband works in the kitchen.",
        "Kind regards from the group.",
    ],
    "ar": ["شكرا لكم جميعا", "زوجي يعمل كثيرا"],
    "fa": ["سپاس از همه", "دخترم به مدرسه می‌رود"],
    "tr": ["Sevgiler herkese!", "Oğlum okula gidiyor."],
    "uk": ["Дякую всім!", "Мій син ходить до школи."],
    "ti": ["የቐንየለይ ንኹልኹም"],
}


def make_holdout2() -> list[dict]:
    rng_state = RNG.getstate()
    RNG.seed(1402)
    rows: list[dict] = []
    for lang, templates in HOLDOUT2_TEMPLATES.items():
        names = HOLDOUT2_NAMES[SCRIPT_OF[lang]]
        for i, template in enumerate(templates):
            for j in range(3):
                name = names[(i * 3 + j + 2 * len(lang)) % len(names)]
                rows.append(
                    {
                        "lang": lang,
                        "text": template.replace("{N}", name),
                        "pii": [{"kind": "name", "value": name}],
                    }
                )
        value_of = {
            "phone": lambda lang=lang: local_digits(phone(), lang),
            "email": lambda lang=lang: email(lang),
            "address": lambda lang=lang: address(lang),
            "room": lambda lang=lang: room(lang),
        }
        for kind, make in value_of.items():
            for template in HOLDOUT2_STRUCTURED[lang]:
                value = make()
                rows.append(
                    {
                        "lang": lang,
                        "text": template.replace("{X}", value),
                        "pii": [{"kind": kind, "value": value}],
                    }
                )
        for text in HOLDOUT2_NEGATIVES[lang]:
            rows.append({"lang": lang, "text": text, "pii": [], "source": "hard"})
    RNG.setstate(rng_state)
    return rows


def make_cases(lang: str) -> list[dict]:
    cases: list[dict] = []
    value_of = {
        "phone": lambda: local_digits(phone(), lang),
        "email": lambda: email(lang),
        "bsn": lambda: local_digits(bsn(), lang),
        "iban": iban,
        "vnummer": lambda: local_digits(vnummer(), lang),
        "address": lambda: address(lang),
        "room": lambda: room(lang),
    }
    for kind, templates in TEMPLATES[lang].items():
        reps = {"phone": 9, "email": 8, "address": 8, "room": 6}.get(kind, 4)
        for i in range(reps):
            value = value_of[kind]()
            text = templates[i % len(templates)].replace("{X}", value)
            cases.append({"lang": lang, "text": text, "pii": [{"kind": kind, "value": value}]})
    for pool_name, pool in (("dev", DEV_NAMES), ("holdout", HOLDOUT_NAMES)):
        names = pool[SCRIPT_OF[lang]]
        for i, template in enumerate(NAME_TEMPLATES[lang]):
            for j in range(2):
                name = names[(i * 2 + j + len(lang)) % len(names)]
                cases.append(
                    {
                        "lang": lang,
                        "text": template.replace("{N}", name),
                        "pii": [{"kind": "name", "value": name}],
                        "pool": pool_name,
                    }
                )
    return cases


def demo_negatives() -> list[dict]:
    texts: list[str] = []
    for rel in ("platform/klankbord/reports/demo.py", "platform/klankbord/meetings/demo.py"):
        tree = ast.parse((REPO / rel).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value.strip()
                if (
                    len(text.split()) >= 4
                    and '"""' not in text
                    and not text.startswith(("Demo", "The "))
                ):
                    texts.append(text)
    for path in sorted((REPO / "surveys").glob("*.yaml")):

        def walk(obj):
            if isinstance(obj, dict):
                for v in obj.values():
                    yield from walk(v)
            elif isinstance(obj, list):
                for v in obj:
                    yield from walk(v)
            elif isinstance(obj, str) and len(obj.split()) >= 3:
                yield obj.strip()

        texts.extend(walk(yaml.safe_load(path.read_text(encoding="utf-8"))))
    seen: set[str] = set()
    out = []
    for text in texts:
        if text not in seen and not re.search(r"\{|%\(|https?:|\[|;|_", text):
            seen.add(text)
            out.append({"lang": guess_lang(text), "text": text, "pii": [], "source": "demo"})
    return out


def guess_lang(text: str) -> str:
    if re.search("[\u1200-\u137f]", text):
        return "ti"
    if re.search("[پچژگکی]", text):
        return "fa"
    if re.search("[\u0600-\u06ff]", text):
        return "ar"
    if re.search("[\u0400-\u04ff]", text):
        return "uk"
    if re.search("[ğışİŞĞçöüÇÖÜ]", text):
        return "tr"
    if re.search(r"\b(the|and|is|you|we|to|of)\b", text):
        return "en"
    return "nl"


def main() -> None:
    cases = [c for lang in TEMPLATES for c in make_cases(lang)]
    RNG.shuffle(cases)
    dev, holdout = [], []
    for i, case in enumerate(cases):
        pool = case.pop("pool", None)
        if pool == "holdout" or (pool is None and i % 3 == 0):
            holdout.append(case)
        elif pool == "dev" or pool is None:
            dev.append(case)
    for lang, texts in HARD_NEGATIVES.items():
        for i, text in enumerate(texts):
            (holdout if i % 3 == 2 else dev).append(
                {"lang": lang, "text": text, "pii": [], "source": "hard"}
            )
    for name, rows in (
        ("scrub-dev", dev),
        ("scrub-holdout", holdout),
        ("scrub-holdout2", make_holdout2()),
        ("scrub-negatives", demo_negatives()),
    ):
        for i, row in enumerate(rows):
            row["id"] = f"{name.split('-')[1]}-{i:04d}"
        with (OUT / f"{name}.jsonl").open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps({"id": row.pop("id"), **row}, ensure_ascii=False) + "\n")
        planted = sum(len(r["pii"]) for r in rows)
        print(f"{name}: {len(rows)} texts, {planted} planted identifiers")


if __name__ == "__main__":
    main()
