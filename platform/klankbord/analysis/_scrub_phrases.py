"""The scrubber's name lead-in phrases ("mijn naam is", "ስመይ") and the name after one."""

from __future__ import annotations

import re

from klankbord.analysis._scrub_patterns import (
    _I,
)
from klankbord.analysis._scrub_view import (
    _fold,
)

# --------------------------------------------------------------------------
# names
# --------------------------------------------------------------------------
_MARKS = r"\u0300-\u036f\u064b-\u065f\u0670\u200c\u200d\u1dc0-\u1dff"
_TOKEN_RE = re.compile(
    r"[^\W\d_](?:[^\W\d_]|[" + _MARKS + r"])*(?:['’ʼ\-](?:[^\W\d_]|[" + _MARKS + r"])+)*"
)
_NAME_GAP = r"(?:[ \t\u00a0]{0,3}[:：\-—–=][ \t\u00a0]{0,3}|[ \t\u00a0]{1,3})"
_APOS = "['’ʼ`]"

# (pattern, strong, language)  strong: a lowercase first name is accepted
_NAME_PHRASES: list[tuple[str, bool, str]] = [
    # Dutch
    (
        r"(?:mijn|m" + _APOS + r"?n)[ \t]+(?:voor|achter|roep|volledige[ \t]+)?naam[ \t]+is",
        True,
        "nl",
    ),
    (r"ik[ \t]+heet", True, "nl"),
    (r"(?:voor|achter|roep)?naam[ \t]*(?=:)", True, "nl"),
    (r"ik[ \t]+ben", False, "nl"),
    (r"noem[ \t]+me", False, "nl"),
    # English
    (r"my[ \t]+(?:first[ \t]+|last[ \t]+|full[ \t]+|sur)?name[ \t]+is", True, "en"),
    (r"my[ \t]+name" + _APOS + "s", True, "en"),
    (r"i[ \t]+am[ \t]+called|i" + _APOS + r"?m[ \t]+called", True, "en"),
    (r"(?:first[ \t]+|last[ \t]+|full[ \t]+|sur)?name[ \t]*(?=:)", True, "en"),
    (r"(?:they[ \t]+)?call[ \t]+me", False, "en"),
    (r"name[ \t]+is", False, "en"),  # "my daughter's name is Selam"
    # chat-style Arabic, Farsi and Tigrinya in Latin letters ("esmi ahmad", "esmam reza")
    (r"(?:ana[ \t]+)?(?:ismi|esmi|esmee|esmy)", True, "ar"),
    (r"(?:man[ \t]+)?(?:esmam|esme[ \t]+man|namam)", True, "fa"),
    (r"(?:ane[ \t]+|ana[ \t]+)?(?:smey|shmey)", True, "ti"),
    # Arabic
    (r"(?:و?(?:أنا|انا|آنا)[ \t]+)?و?[اإأ]سم(?:ي|ى)(?:[ \t]+(?:هو|هي))?", True, "ar"),
    (r"الاسم[ \t]*(?=:)", True, "ar"),
    (r"و?اسم(?:ه|ها)", True, "ar"),  # "his/her name is"
    # Farsi / Dari
    (r"(?:اسم|نام)[ \t]+من(?:[ \t]+(?:هست|است))?", True, "fa"),
    (r"(?:اسمم|نامم)", True, "fa"),
    (r"به[ \t]+(?:اسم|نام)", True, "fa"),  # "named"
    # Turkish
    (r"(?:benim[ \t]+)?ad[ıi]m[ \t]+soyad[ıi]m", True, "tr"),
    (r"benim[ \t]+(?:ad[ıi]m|ismim)", True, "tr"),
    (r"ismim", True, "tr"),
    (r"ad[ıi]m", False, "tr"),
    (r"ad[ıi]", False, "tr"),  # "kızımın adı Güneş"
    # Ukrainian / Russian
    (r"мене[ \t]+(?:звати|звуть)", True, "uk"),
    (r"мо[єеё][ \t]+(?:ім" + _APOS + r"?я|имя)", True, "uk"),
    (r"меня[ \t]+зовут", True, "uk"),
    # Tigrinya / Amharic
    (r"ስመይ|ስሜ|ሽመይ", True, "ti"),
]
_NAME_RES: list[tuple[re.Pattern[str], bool, str]] = [
    (re.compile(r"(?<![\w])(?:" + pat + r")(?![\w])" + _NAME_GAP, _I), strong, lang)
    for pat, strong, lang in _NAME_PHRASES
]
_FUNCTION_WORDS = frozenset(
    map(
        _fold,
        """
    ik je jij u hij zij ze wij we jullie het de een en of maar want dus niet geen wel ook al
    nog is ben bent was waren heb heeft hebben in op uit met bij naar voor aan te om dat die
    dit deze er hier daar zo heel erg echt mijn jouw uw zijn haar onze ons sinds jaar jaren
    woon kom kwam werk welkom blij moe ziek bang alleen getrouwd hier nu toen
    i i'm im me and but or so the a an from of to in on at with am is are was were have has
    my your his her not no yes because who which that this here there very also too since
    years year old live living come came work
    ve ben bir bu şu o da de ki için ile ama çok değil benim adım ismim evet hayır yaşında
    і й та я а але не з в у мене моє це мені и но с меня мое моё это мне
    و وأنا وانا انا أنا من في عمري وعمري هو هي عندي لدي ولدي أسكن اسكن وأسكن واسكن جئت وجئت
    أعيش اعيش وأعيش واعيش كان لكن ولكن مع إلى الى على عن أن هذا هذه يا لا نعم
    است هست هستم هستش میباشد می‌باشد از در به با که را این آن ساله بود ام هستند اهل دارم
    እዩ እየ ኢዩ ይበሃል ይብሃል ካብ ኣብ እና ኣነ ዝብሃል ይብሉኒ ምስ ድማ ሓደ ነው እባላለሁ
    """.split(),
    )
)
_PARTICLES = frozenset(
    """van de der den ter ten te el al bin ibn abu von da di la le du del dos das
    bint ould بن ابن أبو ابو بنت آل""".split()
)
# capitalised words after "ik ben" that are not names
_NOT_A_NAME = frozenset(
    """
    nederlander nederlandse syriër syrier syrisch eritreeër eritreeer eritrees afghaan afghaans
    turk turks iraniër iranier iraans irakees somaliër somalier ethiopiër ethiopier oekraïner
    oekrainer oekraïens arabier koerd koerdisch jemeniet soedanees palestijn libanees marokkaan
    moslim christen vluchteling statushouder nieuwkomer asielzoeker nederlands engels arabisch
    gisteren vandaag morgen maandag dinsdag woensdag donderdag vrijdag zaterdag zondag
    """.split()
)
_MAX_CASED_TOKENS = 3
_MAX_UNCASED_TOKENS = 2


def _take_name(
    view: str,
    pos: int,
    strong: bool,
    given: dict[str, bool] | None = None,
    second_word=None,
    family: frozenset[str] | None = None,
) -> tuple[int, int] | None:
    """Span of 1-3 name tokens starting at ``pos`` (or None). After a weak phrase ("ik ben") a
    word typed without a capital is taken only when ``given`` lists it as a name and no word."""
    first_start = -1
    end = -1
    cased_count = uncased_count = lower_count = 0
    seen_upper = False
    i = pos
    pending_particle = False
    while True:
        m = _TOKEN_RE.match(view, i)
        if m is None:
            break
        word = m.group()
        key = _fold(word)
        head = word[0]
        is_upper, is_lower = head.isupper(), head.islower()
        accept = False
        if key in _PARTICLES and not pending_particle:
            # particles count only when a capitalised token follows ("van der Berg", "el Amrani")
            nxt: re.Match[str] | None = m
            for _ in range(3):
                k = nxt.end()
                nxt = _TOKEN_RE.match(view, k + 1) if view[k : k + 1] == " " else None
                if nxt is None or nxt.group().casefold() not in _PARTICLES:
                    break
            if nxt is not None and nxt.group()[0].isupper():
                if first_start < 0:
                    first_start = m.start()
                pending_particle = True
                i = nxt.start()
                continue
            break
        if key in _FUNCTION_WORDS and not (is_upper and pending_particle):
            break
        if is_upper:
            if first_start < 0 and not strong and key in _NOT_A_NAME:
                break
            if cased_count < _MAX_CASED_TOKENS and uncased_count == 0:
                accept = True
                seen_upper = True
                cased_count += 1
        elif is_lower:
            if (
                (strong or (given is not None and given.get(key) is False))
                and not seen_upper
                and lower_count < 2
                and uncased_count == 0
                and not pending_particle
                # a second word typed without a capital only when it is a listed name
                # ("mijn naam is fatima ahmadi"; not "esmi yousef w ana", "esmam reza ast")
                and (lower_count == 0 or family is None or key in family or key in (given or ()))
            ):
                accept = True
                lower_count += 1
                cased_count += 1
        else:  # scripts without case
            if strong or first_start >= 0:
                if (
                    uncased_count < _MAX_UNCASED_TOKENS
                    and cased_count == 0
                    # a second word only when it may be a name ("اسمها ليزا وهي": not "and she")
                    and (uncased_count == 0 or second_word is None or second_word(key))
                ):
                    accept = True
                    uncased_count += 1
        if not accept:
            break
        pending_particle = False
        if first_start < 0:
            first_start = m.start()
        end = m.end()
        i = m.end()
        if view[i : i + 1] in (" ", "\u00a0"):
            i += 1
        else:
            break
    if end < 0:
        return None
    return first_start, end
