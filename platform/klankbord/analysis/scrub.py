"""Personal-data scrubber for residents' free text.

Pure Python (stdlib ``re`` / ``unicodedata`` only).  ``scrub`` replaces personal
data with visible Dutch placeholders such as ``[telefoonnummer]`` and keeps the
rest of the text byte-for-byte unchanged.

Design notes
------------
* Matching runs on a *view* of the text that has exactly the same length as the
  input: Arabic-Indic, Persian and full-width digits are mapped to ASCII,
  invisible direction marks are mapped to spaces and placeholders that are
  already present are masked with NUL characters so they can never be matched
  again.  Offsets in the view are offsets in the original, so the original
  span (with its original digits) is what gets replaced.
* Every detector yields candidate spans; overlaps are resolved longest-first
  (ties by detector priority) with an occupancy map.
* Patterns are bounded or anchored at the start of a run, so scanning is
  linear in the input length (no catastrophic backtracking).
* ``scrub`` repeats passes until nothing changes, so
  ``scrub(scrub(x)) == scrub(x)``.
* Names without a lead-in phrase come from shipped lists (``data/given-names.txt``,
  ``data/family-names.txt``; sources and licences in ``data/given-names.README.md``) read once
  at import, plus context: a family word, a greeting or sign-off, "I'm". A listed name that is
  also an ordinary word ("hoop", "أمل") needs context or a family name next to it; scripts
  without capitals need two listed names in a row or context.
* Cheap gates (a digit, "@", a spelled-out "at", a word of a name phrase or of the lists) let
  most answers skip most finders; ``_one_pass(gate=False)`` runs them all and a property test
  checks the result is the same. ``benchmarks/scrub.py`` measures recall, clean words eaten and
  time on a labelled set in the seven languages.
"""

from __future__ import annotations

import re
from importlib import resources

__all__ = [
    "KINDS",
    "PLACEHOLDERS",
    "bsn_is_valid",
    "iban_is_valid",
    "scrub",
    "scrub_with_report",
]

#: kind -> visible placeholder written into the text
PLACEHOLDERS: dict[str, str] = {
    "email": "[e-mail]",
    "url": "[url]",
    "iban": "[iban]",
    "vnummer": "[v-nummer]",
    "bsn": "[bsn]",
    "phone": "[telefoonnummer]",
    "address": "[adres]",
    "name": "[naam]",
}
#: detection kinds, in priority order (earlier wins a tie between equally long spans)
KINDS: tuple[str, ...] = tuple(PLACEHOLDERS)
_PRIORITY = {kind: i for i, kind in enumerate(KINDS)}

_SUPPORTED_LANGS = frozenset({"nl", "en", "ar", "ti", "fa", "tr", "uk"})
_LANG_ALIASES = {"prs": "fa", "dari": "fa", "per": "fa", "ru": "uk", "am": "ti"}

_MAX_PASSES = 8

# --------------------------------------------------------------------------
# the matching view
# --------------------------------------------------------------------------
_VIEW_TABLE: dict[int, str] = {}
for _base in (0x0660, 0x06F0, 0xFF10, 0x0966, 0x09E6):  # Arabic-Indic, Persian, full-width, ...
    for _i in range(10):
        _VIEW_TABLE[_base + _i] = str(_i)
# invisible bidi/format characters that may sit inside a copied phone number
for _cp in (
    0x200B,
    0x200E,
    0x200F,
    0x061C,
    0xFEFF,
    0x2060,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
):
    _VIEW_TABLE[_cp] = " "
# Arabic decimal and thousands separators, and "@" lookalikes (full-width, small)
_VIEW_TABLE.update({0x066B: ".", 0x066C: ",", 0xFF20: "@", 0xFE6B: "@", 0xFF0E: "."})
# NUL is our "unmatchable" mask character; an input NUL stays NUL (also unmatchable)

_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))


_VIEW_NEEDED_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_VIEW_TABLE)) + "]")


def _view(text: str) -> str:
    # translate() looks every character up: most answers have nothing to translate
    view = text.translate(_VIEW_TABLE) if _VIEW_NEEDED_RE.search(text) else text
    if "[" in view:
        view = _PLACEHOLDER_RE.sub(lambda m: "\x00" * len(m.group()), view)
    return view


# --------------------------------------------------------------------------
# checksums
# --------------------------------------------------------------------------
def bsn_is_valid(number: str) -> bool:
    """Elfproef for a BSN (8 digits are read with a leading zero)."""
    digits = "".join(ch for ch in number if ch.isdigit())
    digits = digits.translate(_VIEW_TABLE)
    if len(digits) == 8:
        digits = "0" + digits
    if len(digits) != 9 or not digits.isascii() or set(digits) == {"0"}:
        return False
    total = sum(int(d) * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True))
    return total % 11 == 0


#: IBAN length per country (ISO 13616 registry)
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24,
    "AE": 23,
    "AL": 28,
    "AT": 20,
    "AZ": 28,
    "BA": 20,
    "BE": 16,
    "BG": 22,
    "BH": 22,
    "BR": 29,
    "BY": 28,
    "CH": 21,
    "CR": 22,
    "CY": 28,
    "CZ": 24,
    "DE": 22,
    "DK": 18,
    "DO": 28,
    "EE": 20,
    "EG": 29,
    "ES": 24,
    "FI": 18,
    "FO": 18,
    "FR": 27,
    "GB": 22,
    "GE": 22,
    "GI": 23,
    "GL": 18,
    "GR": 27,
    "GT": 28,
    "HR": 21,
    "HU": 28,
    "IE": 22,
    "IL": 23,
    "IQ": 23,
    "IS": 26,
    "IT": 27,
    "JO": 30,
    "KW": 30,
    "KZ": 20,
    "LB": 28,
    "LC": 32,
    "LI": 21,
    "LT": 20,
    "LU": 20,
    "LV": 21,
    "LY": 25,
    "MC": 27,
    "MD": 24,
    "ME": 22,
    "MK": 19,
    "MR": 27,
    "MT": 31,
    "MU": 30,
    "NL": 18,
    "NO": 15,
    "PK": 24,
    "PL": 28,
    "PS": 29,
    "PT": 25,
    "QA": 29,
    "RO": 24,
    "RS": 22,
    "SA": 24,
    "SC": 31,
    "SD": 18,
    "SE": 24,
    "SI": 19,
    "SK": 24,
    "SM": 27,
    "ST": 25,
    "SV": 28,
    "TL": 23,
    "TN": 24,
    "TR": 26,
    "UA": 29,
    "VA": 22,
    "VG": 24,
    "XK": 20,
}


def iban_is_valid(iban: str) -> bool:
    """Country length + ISO 7064 mod-97 check (spaces ignored, case-insensitive)."""
    compact = "".join(iban.split()).upper()
    if not compact.isascii() or not compact.isalnum() or len(compact) < 15:
        return False
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact[2:4].isdigit():
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


# --------------------------------------------------------------------------
# patterns (all on the view; digits are ASCII there)
# --------------------------------------------------------------------------
_I = re.IGNORECASE

# e-mail: the local part must start a run, so each run is scanned once (linear)
_EMAIL_RE = re.compile(r"(?<![\w.+%'\-])[\w+%'\-][\w.+%'\-]*@(?:[\w\-]+\.)+[\w\-]+")
# obfuscated e-mail: "at"/"dot" spelled out (bracketed or as words, in the seven languages)
_EMAIL_AT = (
    r"(?:[ \u00a0]{0,2}(?:[\[({<][ \u00a0]?(?:at|@|et)[ \u00a0]?[\])}>]|@)[ \u00a0]{0,2}"
    r"|[ \u00a0]{1,2}(?:at|et|apenstaartje|at-teken|ات|آت|أت|اَت|собака|равлик|ኣት)[ \u00a0]{1,2})"
)
_EMAIL_DOT = (
    r"(?:[ \u00a0]{0,2}[\[({<][ \u00a0]?(?:dot|punt|\.|nokta)[ \u00a0]?[\])}>][ \u00a0]{0,2}"
    r"|[ \u00a0]{0,2}\.[ \u00a0]{0,2}"
    r"|[ \u00a0]{1,2}(?:dot|punt|nokta|نقطة|نقطه|دات|دوت|крапка|точка|ነጥቢ)[ \u00a0]{1,2})"
)
_EMAIL_OBF_RE = re.compile(
    r"(?<![\w.+%'\-])[\w+%'\-][\w.+%'\-]{0,63}(?P<at>" + _EMAIL_AT + r")"
    r"(?P<domain>[\w\-]{1,63}(?:" + _EMAIL_DOT + r"[\w\-]{1,63}){1,3})(?![\w])",
    _I,
)
_EMAIL_DOT_SPLIT_RE = re.compile(_EMAIL_DOT, _I)
_EMAIL_DOT_WORD_RE = re.compile(
    r"[\[({<][ \u00a0]?(?:dot|punt|nokta)"
    r"|(?<![\w])(?:dot|punt|nokta|نقطة|نقطه|دات|دوت|крапка|точка|ነጥቢ)(?![\w])",
    _I,
)
_TLDS = frozenset(
    "com nl net org be de uk co fr eu info io me ru ua tr ir af sy iq er et so sd eg ma jo lb sa "
    "ae "
    "edu gov biz online mail email live ch at se no dk pl it es pt".split()
)
_MAIL_PROVIDERS = frozenset(
    "gmail googlemail hotmail outlook live msn yahoo icloud me mac aol gmx web ziggo kpnmail kpn "
    "planet home xs4all hetnet chello casema upcmail proton protonmail pm yandex mail ukr i ua "
    "bigmir meta rambler inbox".split()
)
_URL_RE = re.compile(r"(?<![\w@/.\-])(?:https?://|www\.)[^\s<>\"'\x00\[\]]+", _I)
_URL_TRAIL = ".,;:!?)]}'\"،؛؟»”’"

_SEP = r"[ \u00a0\-./()\u2010\u2011\u2013\u2014]"
# international number: + or 00, country code, 6..16 further digits (trimmed per country)
_PHONE_INTL_RE = re.compile(
    r"(?=((?:(?<![\w+])\+|(?<![\w])00)[ \u00a0]?[1-9](?:" + _SEP + r"{0,3}[0-9]){6,16})(?![0-9]))"
)
# national number starting with 0 (8..11 digits)
_PHONE_NAT_RE = re.compile(r"(?=((?<![\w+])\(?0(?:" + _SEP + r"{0,3}[0-9]){7,10})(?![0-9]))")
# a Dutch mobile number without its trunk 0, grouped: "6-1234-5678", "6 12345678"
_PHONE_MOBILE_NO_TRUNK_RE = re.compile(
    r"(?<![\w+\-.,/])6" + _SEP + r"{1,3}[0-9](?:" + _SEP + r"{0,3}[0-9]){7}(?![0-9])(?![.,][0-9])"
)
_DATE_PREFIX_RE = re.compile(r"\(?[0-3]?[0-9][-./][01]?[0-9][-./](?:19|20)[0-9]{2}")

# national significant number length (min, max) per calling code
_CC_LENGTHS: dict[str, tuple[int, int]] = {
    "1": (10, 10),
    "7": (10, 10),
    "20": (9, 10),
    "30": (10, 10),
    "31": (9, 9),
    "32": (8, 9),
    "33": (9, 9),
    "34": (9, 9),
    "36": (8, 9),
    "39": (6, 11),
    "40": (9, 9),
    "41": (9, 9),
    "43": (4, 13),
    "44": (9, 10),
    "45": (8, 8),
    "46": (7, 10),
    "47": (8, 8),
    "48": (9, 9),
    "49": (6, 13),
    "90": (10, 10),
    "91": (10, 10),
    "92": (9, 10),
    "93": (9, 9),
    "98": (10, 10),
    "212": (9, 9),
    "213": (9, 9),
    "216": (8, 8),
    "220": (7, 7),
    "221": (9, 9),
    "224": (8, 9),
    "225": (10, 10),
    "233": (9, 9),
    "234": (8, 10),
    "243": (9, 9),
    "249": (9, 9),
    "250": (9, 9),
    "251": (9, 9),
    "252": (7, 9),
    "253": (8, 8),
    "254": (9, 9),
    "256": (9, 9),
    "291": (7, 7),
    "351": (9, 9),
    "353": (7, 9),
    "355": (8, 9),
    "358": (5, 12),
    "359": (8, 9),
    "370": (8, 8),
    "371": (8, 8),
    "372": (7, 8),
    "373": (8, 8),
    "374": (8, 8),
    "375": (9, 9),
    "380": (9, 9),
    "381": (8, 9),
    "383": (8, 8),
    "385": (8, 9),
    "386": (8, 8),
    "387": (8, 8),
    "389": (8, 8),
    "420": (9, 9),
    "421": (9, 9),
    "961": (7, 8),
    "962": (8, 9),
    "963": (8, 9),
    "964": (10, 10),
    "965": (8, 8),
    "966": (9, 9),
    "967": (9, 9),
    "968": (8, 8),
    "970": (9, 9),
    "971": (8, 9),
    "972": (8, 9),
    "973": (8, 8),
    "974": (8, 8),
    "994": (9, 9),
    "995": (9, 9),
}

# BSN: 9 digits (plain, 3-3-3 or 4-2-3 grouped) or 8 plain digits
_BSN_RE = re.compile(
    r"(?=(?<![0-9])(?<![0-9][.,])"
    r"([0-9]{9}|[0-9]{3}([ .\-])[0-9]{3}\2[0-9]{3}|[0-9]{4}([ .])[0-9]{2}\3[0-9]{3}|[0-9]{8})"
    r"(?![0-9])(?![.,][0-9]))"
)

# V-nummer labels (nl/en/tr/uk/ar/fa/ti) and IND/COA
_VNR_LABEL = (
    r"(?:(?<![\w])(?:v|в)[ \-.]?(?:nummer|nr|no|number|num|numara\w*|номер\w*)(?![\w])"
    r"|(?<![\w])vreemdelingen[ \-]?nummer(?![\w])"
    r"|(?<![\w])(?:foreigner|alien)s?[ \-]number(?![\w])"
    r"|(?<![\w])(?-i:IND|COA)(?:[ \-]?nummer|[ \-]?nr|[ \-]?number)?(?![\w])"
    r"|(?:رقم|الرقم|شماره|نمبر|ቁጽሪ)[ \u00a0\-:]{0,3}(?:ال)?(?:v|في|وی|ڤي)(?![\w]))"
)
_VNR_NUM = r"[0-9](?:[ .\-]?[0-9]){9}"
_VNR_AFTER_LABEL_RE = re.compile(
    _VNR_LABEL + r"[^0-9\n\x00]{0,30}?(?<![0-9])(" + _VNR_NUM + r")(?![0-9])", _I
)
_VNR_BEFORE_LABEL_RE = re.compile(
    r"(?<![0-9])(" + _VNR_NUM + r")(?![0-9])[^0-9\n\x00]{0,20}?" + _VNR_LABEL, _I
)
# an unlabelled, unseparated 10-digit number not starting with 0 (0... is a phone number)
_VNR_BARE_RE = re.compile(r"(?<![\w+])[1-9][0-9]{9}(?![0-9])(?![.,][0-9])")

_IBAN_START_RE = re.compile(r"(?<![A-Za-z0-9])(?=[A-Za-z]{2}[0-9]{2}[ \u00a0]?[A-Za-z0-9])")

# Dutch address parts
_POSTCODE = r"[1-9][0-9]{3}(?:[ \u00a0]?(?!SA|SD|SS)[A-Z]{2}|(?!sa|sd|ss)[a-z]{2})(?![\w])"
_HNR = (
    r"[1-9][0-9]{0,4}"
    r"(?:[a-zA-Z](?![\w])|[ \u00a0]?[-/][ \u00a0]?[0-9A-Za-z]{1,4}(?![\w])"
    r"|[ \u00a0](?:[A-Z]|hs|bis)(?![\w]))?(?![\w])"
)
_STREETWORDS = r"((?:[A-Z][\w'\-]*[ \u00a0]){0,2}[A-Z][\w'\-]*)"
#: a label between postcode and house number: "1234AB huisnummer 12", "1234AB, nr 12"
_HNR_LABEL = (
    r"(?i:(?:huis)?(?:nummer|nr|no)\.?|number|house[ \u00a0]?(?:number|no\.?)"
    r"|numara(?:s[ıi])?|no\.?"
    r"|kap[ıi][ \u00a0]?(?:no|numaras[ıi])\.?|номер(?:[ \u00a0]будинку)?|буд(?:инок|\.)?|д(?:ом|\.)"
    r"|رقم(?:[ \u00a0](?:المنزل|البيت|الدار|العمارة))?|منزل|بيت|پلاک"
    r"|شماره(?:[ \u00a0](?:خانه|منزل))?"
    r"|ቁጽሪ(?:[ \u00a0]ገዛ)?|ገዛ[ \u00a0]ቁጽሪ|№)"
)
_ADDR_POSTCODE_HNR_RE = re.compile(
    r"(?<![\w])(" + _POSTCODE + r")[ \u00a0]{0,2}[,;]?[ \u00a0]{0,2}"
    r"(?:" + _HNR_LABEL + r"[ \u00a0]{0,2}:?[ \u00a0]{0,2})?(" + _HNR + r")"
)
#: "huisnummer 12, postcode 1234AB": house number first
_ADDR_HNR_POSTCODE_RE = re.compile(
    r"(?<![\w])" + _HNR_LABEL + r"[ \u00a0]{0,2}:?[ \u00a0]{0,2}" + _HNR + r"[ \u00a0]{0,2}[,;]?"
    r"[ \u00a0]{0,2}(?i:(?:postcode|post[ \u00a0]?code|zip|posta[ \u00a0]kodu|індекс"
    r"|الرمز[ \u00a0]البريدي|کد[ \u00a0]پستی)[ \u00a0]{0,2}:?[ \u00a0]{0,2})?(" + _POSTCODE + ")"
)
#: a postcode after its label, even without a house number ("postcode 1234AB")
_ADDR_LABELLED_POSTCODE_RE = re.compile(
    r"(?<![\w])(?i:postcode|post[ \u00a0]code|zip[ \u00a0]?code|posta[ \u00a0]kodu"
    r"|поштовий[ \u00a0]індекс"
    r"|індекс|الرمز[ \u00a0]البريدي|رمز[ \u00a0]بريدي|کد[ \u00a0]پستی|ፖስታ[ \u00a0]ኮድ)"
    r"[ \u00a0]{0,2}:?[ \u00a0]{0,2}(" + _POSTCODE + r")"
    r"(?:[ \u00a0]{0,2}[,;]?[ \u00a0]{0,2}(?:"
    + _HNR_LABEL
    + r"[ \u00a0]{0,2}:?[ \u00a0]{0,2})?"
    + _HNR
    + ")?"
)
#: a room in a reception centre identifies its residents: "kamer 12", "AZC kamer 3b", "غرفة ١٢"
_ROOM_WORD = (
    r"(?:(?<![Tt]weede[ \u00a0])(?<![Ee]erste[ \u00a0])kamer(?:nummer|nr\.?)?"
    r"|room(?:[ \u00a0]?(?:number|no\.?|nr\.?))?"
    r"|unit|(?:oda|odam[ıi]z?)(?:[ \u00a0]?(?:numaras[ıi]|no\.?))?|кімнат[аиіу](?:[ \u00a0]?№)?"
    r"|номер[ \u00a0]кімнати|комнат[аы](?:[ \u00a0]?№)?"
    r"|(?:ال)?غرف(?:ة|تي|تنا)(?:[ \u00a0]رقم)?|رقم[ \u00a0](?:ال)?غرف(?:ة|تي|تنا)"
    r"|اتاق(?:م|مان)?(?:[ \u00a0]شماره)?|شماره[ \u00a0]اتاق(?:م)?"
    r"|ክፍሊ(?:[ \u00a0]ቁጽሪ)?|ቁጽሪ[ \u00a0]ክፍሊ)"
)
_ROOM_RE = re.compile(
    r"(?<![\w])" + _ROOM_WORD + r"[ \u00a0]{0,2}(?:nr\.?|no\.?|#|№|:)?[ \u00a0]{0,2}"
    r"((?:[A-Za-z][ \u00a0]?[\-.]?[ \u00a0]?)?[0-9]{1,4}(?:[.\-/][0-9]{1,3})?[A-Za-z]?)"
    r"(?![\w])(?![.,][0-9])"
    r"(?![ \u00a0]{0,2}(?:m2|m²|m\b|meter|vierkante|keer|times|mensen|personen|people|persons"
    r"|jaar|year"
    r"|uur|hour|dagen|days|euro|€|kişi|metre|люд|метр|نفر|شخص|أشخاص|متر|ሰባት|ሰብ))",
    _I,
)
#: a room number before the word: "12 numaralı oda", "кімната номер 12" is above
_ROOM_BEFORE_RE = re.compile(
    r"(?<![\w])[0-9]{1,4}[ \u00a0]?(?:numaral[ıi]|nolu|no'?lu)[ \u00a0]oda(?![\w])", _I
)
_ADDR_STREET_POSTCODE_RE = re.compile(
    r"(?<![\w])"
    + _STREETWORDS
    + r"[ \u00a0]"
    + _HNR
    + r"[ \u00a0]{0,3}[,;]?[ \u00a0\n]{0,3}"
    + _POSTCODE
)
_ADDR_STREET_RE = re.compile(r"(?<![\w])" + _STREETWORDS + r"[ \u00a0]" + _HNR)
_STREET_SUFFIXES = (
    "straat",
    "straatweg",
    "laan",
    "weg",
    "plein",
    "gracht",
    "kade",
    "singel",
    "dijk",
    "hof",
    "dreef",
    "pad",
    "steeg",
    "markt",
    "park",
    "plantsoen",
    "wal",
    "erf",
    "baan",
    "veld",
    "gaarde",
    "burg",
    "haven",
    "dam",
    "weide",
    "zoom",
    "kamp",
    "ring",
    "boulevard",
    "allee",
    "stede",
    "hage",
    "donk",
    "berg",
    "hoek",
    "oord",
    "dal",
    "polder",
    "vaart",
    "brink",
    "zijde",
    "akker",
    "hout",
    "hoven",
    "kwartier",
)
_ABBREV_LETTERS = frozenset({"EU", "VS", "US", "UK", "UN", "VN", "NL", "AM", "PM", "KM"})

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
    (r"mijn[ \t]+(?:voor|achter|roep|volledige[ \t]+)?naam[ \t]+is", True, "nl"),
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
    # Arabic
    (r"(?:و?(?:أنا|انا|آنا)[ \t]+)?و?[اإأ]سم(?:ي|ى)(?:[ \t]+(?:هو|هي))?", True, "ar"),
    (r"الاسم[ \t]*(?=:)", True, "ar"),
    # Farsi / Dari
    (r"(?:اسم|نام)[ \t]+من(?:[ \t]+(?:هست|است))?", True, "fa"),
    (r"(?:اسمم|نامم)", True, "fa"),
    # Turkish
    (r"(?:benim[ \t]+)?ad[ıi]m[ \t]+soyad[ıi]m", True, "tr"),
    (r"benim[ \t]+(?:ad[ıi]m|ismim)", True, "tr"),
    (r"ismim", True, "tr"),
    (r"ad[ıi]m", False, "tr"),
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
    """.split()
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


def _norm_lang(lang: str | None) -> str | None:
    if not lang or not isinstance(lang, str):
        return None
    base = lang.strip().lower().replace("_", "-").split("-", 1)[0]
    base = _LANG_ALIASES.get(base, base)
    return base if base in _SUPPORTED_LANGS else None


def _take_name(view: str, pos: int, strong: bool) -> tuple[int, int] | None:
    """Span of 1-3 name tokens starting at ``pos`` (or None)."""
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
                strong
                and not seen_upper
                and lower_count < 2
                and uncased_count == 0
                and not pending_particle
            ):
                accept = True
                lower_count += 1
                cased_count += 1
        else:  # scripts without case
            if strong or first_start >= 0:
                if uncased_count < _MAX_UNCASED_TOKENS and cased_count == 0:
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


# --------------------------------------------------------------------------
# names without a lead-in phrase: a shipped list of given names plus context
# --------------------------------------------------------------------------
def _geez_fold_table() -> dict[int, int]:
    """Ge'ez letters that sound alike, written as one: names are spelled both ways.

    ሐ/ኀ/ሀ, ሠ/ሰ, ዐ/አ and ፀ/ጸ are homophones; Tigrinya writes ኽ and ቕ where Amharic writes ክ
    and ቅ (ተኽለ, ተክለ); and the first and fourth forms of ሀ and አ are both read "a" (ኣ, አ).
    """
    table: dict[int, int] = {}
    families = {0x1210: 0x1200, 0x1280: 0x1200, 0x1220: 0x1230, 0x12D0: 0x12A0,
                0x1340: 0x1338, 0x12B8: 0x12A8, 0x1250: 0x1240}
    for src, dst in families.items():
        for order in range(7):
            table[src + order] = dst + order
    for base in (0x1200, 0x12A0):
        for src in (base, base + 3):
            for family in [base] + [s for s, d in families.items() if d == base]:
                table[family + (src - base)] = base
    return table


_GEEZ_FOLD = _geez_fold_table()


def _fold(word: str) -> str:
    """Casefold, with Turkish "İ" read as "I" (casefold makes it "i" + a combining dot) and
    Ge'ez homophones written alike."""
    return word.casefold().replace("i\u0307", "i").replace("’", "'").translate(_GEEZ_FOLD)


#: the folding the name lists are compared in (also used by tools/build_ethiopic_names.py)
fold_name = _fold
_FUNCTION_WORDS = frozenset(map(_fold, _FUNCTION_WORDS))


def _load_names() -> tuple[dict[str, bool], frozenset[str]]:
    """Given names (name -> is also an ordinary word) and family names, from ``data/``."""
    folder = resources.files(__package__) / "data"
    given: dict[str, bool] = {}
    for listed in ("given-names.txt", "given-names-ethiopic.txt"):
        for line in (folder / listed).read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                name, _, mark = line.partition("\t")
                given.setdefault(_fold(name), mark == "~")  # the general list decides first
    family = frozenset(
        _fold(line)
        for line in (folder / "family-names.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    never = _FUNCTION_WORDS | _PARTICLES  # "de", "van", "the" come from compound entries
    given = {k: v for k, v in given.items() if k not in never}
    return given, family - never


#: given name (casefolded) -> True when it is also an ordinary word ("hoop", "أمل"); see
#: data/given-names.README.md for the sources and licences
_GIVEN, _FAMILY = _load_names()
#: capitalised words that are in the name lists but, in residents' answers, are mostly something
#: else: months, days, places, feasts, institutions
_NOT_NAME_CAPS = frozenset(
    """
    january february march april may june july august september october november december
    januari februari maart mei juni juli augustus oktober
    monday tuesday wednesday thursday friday saturday sunday maandag dinsdag woensdag donderdag
    vrijdag zaterdag zondag jordan jordanië israel israël paris parijs georgia victoria sydney
    florence chelsea holland asia azië africa afrika europa europe india china america amerika
    syria syrië sudan soedan eritrea eritrea ethiopia ethiopië afghanistan iran irak iraq turkije
    turkey türkiye oekraïne ukraine україна rusland russia libya libië yemen jemen lebanon libanon
    egypte egypt marokko morocco somalia somalië kabul damascus damascus aleppo asmara kyiv kiev
    kharkiv odesa istanbul ankara tehran teheran zwolle amsterdam rotterdam utrecht den haag
    ramadan ramazan bayram eid kerst christmas pasen easter allah god islam christian christen
    azc coa ind gemeente municipality nidos vluchtelingenwerk dutch nederlands english engels
    arabic arabisch turkish turks farsi dari tigrinya ukrainian oekraïens
    """.split()
)
#: punctuation around a word ("Groeten,", "(Fatima)", "ሳባ።")
_PUNCT = ".,;:!?…\"'“”‘’«»()[]{}<>*•·-—–/\\،؛؟፣፤።፧፥"
#: trailing punctuation that may sit between a context word and the name ("Groeten, Fatima")
_CONTEXT_TAIL = frozenset(["", ",", ":", ";", "،", "፣", "፤", "-", "—", "–", ",\u200f"])
_UNCASED_RANGES = ((0x0621, 0x06FF), (0x1200, 0x137F))


def _uncased(word: str) -> bool:
    """A word in a script without capitals (Arabic, Persian, Ge'ez)."""
    c = ord(word[0])
    return any(lo <= c <= hi for lo, hi in _UNCASED_RANGES)


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
    ("ኣደይ ኣቦይ ሓወይ ሓፍተይ ወደይ ጓለይ ሰብኣየይ ሰበይተይ ቤተይ ዓርከይ መሓዛይ ኣኮይ", None, 2),
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

# a family word or greeting is never itself a name ("ኣደይ" is also the given name Adey)
for _context_word in _CONTEXT_BY_LAST:
    _GIVEN.pop(_context_word, None)

#: capitalised words that start a sentence after a greeting ("Thanks, Great work")
_ORDINARY_CAPS = frozenset(
    """great good nice very really please sorry yes no ok okay hello thanks thank everyone all team
    sir madam madame staff everybody guys friends fine happy sad tired sick here new from
    goed fijn mooi heel echt graag sorry ja nee oké iedereen allemaal team alles wij meneer
    mevrouw heer dames heren allen blij moe ziek nieuw
    syrian eritrean afghan iranian turkish ukrainian dutch iraqi somali ethiopian sudanese yemeni
    palestinian lebanese moroccan kurdish kurd arab arabic muslim christian refugee""".split()
)
#: words after a sign-off that address everyone rather than sign
_NOT_A_SIGNATURE = frozenset(
    """allemaal iedereen everyone all everybody herkese hepinize всім усім للجميع لكم جميعا
    همه همگی ንኹልኹም ንኹሉ team""".split()
)
_NOT_A_SIGNATURE = frozenset(map(_fold, _NOT_A_SIGNATURE))
#: common Persian and Arabic words that end like a family name (-ی/-ي) but are not one
_NOT_NISBA = frozenset(
    """خیلی یکی کسی چیزی وقتی جایی برای ولی یعنی دیگری خوبی بعدی قبلی زندگی خانگی همگی کمی
    بسیاری آنجایی اینجایی هلندی فارسی عربی انگلیسی ترکی افغانی ایرانی سوری
    في الذي التي لي بي علي إلي إلى حتى متى على سوري عربي هولندي إنجليزي كردي تركي يومي شخصي
    """.split()
)


def _is_nisba(key: str) -> bool:
    """A family name formed with -ی/-ي ("Rezaei", "Ahmadi") in Persian or Arabic script."""
    return len(key) >= 4 and key[-1] in "یي" and key not in _NOT_NISBA


def _is_cap_name_word(word: str, key: str) -> bool:
    """A capitalised word that may be (part of) a name: not a function word, month or place."""
    return (
        word[0].isupper()
        and key not in _FUNCTION_WORDS
        and key not in _NOT_A_NAME
        and key not in _NOT_NAME_CAPS
        and not (word.isupper() and key not in _GIVEN and key not in _FAMILY)  # "AZC", "IND"
    )


def _split_words(view: str) -> list[tuple[int, int, str, str, str]]:
    """(start, end, word, casefolded key, trailing punctuation) for each whitespace chunk."""
    out = []
    pos = 0
    for chunk in view.split():
        start = view.find(chunk, pos)
        pos = start + len(chunk)
        core = chunk.strip(_PUNCT)
        if not core:
            out.append((start, pos, "", "", chunk))
            continue
        s = start + len(chunk) - len(chunk.lstrip(_PUNCT))
        e = s + len(core)
        key = _fold(core)
        if "'" in key and key not in _GIVEN:  # "Ayşe'nin", "Fatima's": the name is the base
            base = key.split("'", 1)[0]
            if base in _GIVEN or base in _FAMILY:
                key, e = base, s + len(base)
                core = core[: len(base)]
        out.append((s, e, core, key, view[e:pos]))
    return out


def _find_listed_names(view: str, lang: str | None):
    """Names from the shipped list, with or without context (see data/given-names.README.md)."""
    words = _split_words(view)
    n = len(words)

    def extend(i: int, cased: bool) -> int:
        """End of a name starting at word i: up to two more name words or particles."""
        end = words[i][1]
        j = i
        for _ in range(3):
            if words[j][4] or j + 1 >= n:  # punctuation ends a name
                break
            s, e, word, key, _tail = words[j + 1]
            if not word:
                break
            if (
                key in _PARTICLES
                and j + 2 < n
                and words[j + 2][2][:1].isupper()
                and not words[j + 1][4]
            ):
                j += 2
                end = words[j][1]
                continue
            if cased:
                if not _is_cap_name_word(word, key):
                    break
            elif key not in _FAMILY and not _is_nisba(key):
                listed = _GIVEN.get(key)
                # an unlisted word ends the name; in Ge'ez script so does one marked as an
                # ordinary word, because those marks come from dictionaries ("ሓኪም", doctor),
                # while an Arabic family name is often a word too ("ليلى حسن")
                if listed is None or (listed and 0x1200 <= ord(word[0]) <= 0x137F):
                    break
            j += 1
            end = e
            if j - i >= 3:
                break
        return end

    def after_context(i: int, strength: int) -> tuple[int, int] | None:
        s, e, word, key, _tail = words[i]
        if not word:
            return None
        listed = _GIVEN.get(key)
        if word[0].isupper():
            if not _is_cap_name_word(word, key):
                return None
            end = extend(i, cased=True)
            if listed is None and key not in _FAMILY:
                if key in _ORDINARY_CAPS:
                    return None
                # not in the lists: a greeting vouches for a signature ("Thanks, Burak"), and
                # both a greeting and "I'm" for a first and family name ("Я Катерина Шевчук")
                two_words = view[e:end].strip() != ""
                last = not view[end:].strip(_PUNCT + " \t\r\n\u00a0")
                if strength < 2 and not (two_words or (strength == 1 and last)):
                    return None
            return s, end
        if word[0].islower():  # typed without a capital: "mijn broer ahmed"
            return (s, extend(i, cased=False)) if listed is False else None
        if _uncased(word) and key not in _FUNCTION_WORDS:
            if listed is False or (listed and strength >= 2) or key in _FAMILY:
                return s, extend(i, cased=False)
        return None

    def signature(i: int) -> tuple[int, int] | None:
        """One to three words that end the text after "Groeten," / "ብሰላምታ፣" on its own."""
        rest = words[i + 1 :]
        separated = words[i][4] or "\n" in view[words[i][1] : rest[0][0]]
        if not separated or len(rest) > 3 or any(w[4] for w in rest[:-1]):
            return None
        if view[rest[-1][1] :].strip(_PUNCT + " \t\r\n\u00a0"):
            return None
        for _s, _e, word, key, _tail in rest:
            if (
                not word
                or key in _FUNCTION_WORDS
                or key in _ORDINARY_CAPS
                or key in _NOT_A_SIGNATURE
            ):
                return None
        return rest[0][0], rest[-1][1]

    for i in range(n):
        s, e, word, key, tail = words[i]
        if not word:
            continue
        # 1. after a family word, greeting, sign-off or "I'm"
        contexts = _CONTEXT_BY_LAST.get(key)
        if contexts and i + 1 < n and tail in _CONTEXT_TAIL:
            for before, phrase_lang, strength in contexts:
                if phrase_lang is not None and lang is not None and lang != phrase_lang:
                    continue
                k = len(before)
                if k and (i < k or tuple(w[3] for w in words[i - k : i]) != before):
                    continue
                span = after_context(i + 1, strength)
                if strength == 3 and span is None:
                    span = signature(i)
                if span is not None:
                    yield span[0], span[1], "name"
                    break
        listed = _GIVEN.get(key)
        if listed is None or key in _FUNCTION_WORDS:
            continue
        nxt = words[i + 1] if i + 1 < n and not tail else None
        head = word[0]
        if head.isupper():
            # 2. a capitalised listed name: "Gisteren heeft Fatima Ahmadi mij geholpen"
            if key in _NOT_NAME_CAPS or (word.isupper() and len(word) < 3):
                continue
            pair = (
                nxt is not None
                and nxt[2][:1].isupper()
                and (nxt[3] in _FAMILY or _GIVEN.get(nxt[3]) is False)
            )
            if listed and not pair:
                continue  # "Hoop doet leven", "Will the kitchen open": only with context
            yield s, extend(i, cased=True), "name"
        elif nxt is not None and nxt[2] and _uncased(word) and _uncased(nxt[2]):
            # 3. two listed names in a row without capitals: "فاطمة أحمد", "ዮናስ ተስፋይ"
            b_listed = _GIVEN.get(nxt[3])
            if (b_listed is not None or nxt[3] in _FAMILY) and not (
                listed and b_listed is not False
            ):
                yield s, extend(i, cased=False), "name"


# --------------------------------------------------------------------------
# detectors: each yields (start, end, kind)
# --------------------------------------------------------------------------
def _find_email(view: str):
    for m in _EMAIL_RE.finditer(view):
        s, e = m.span()
        tld = view[s:e].rsplit(".", 1)[-1]
        if len(tld) >= 2 and not any(ch.isdigit() for ch in tld):
            yield s, e, "email"


def _find_obfuscated_email(view: str):
    """Find "fatima [at] gmail [dot] com", "fatima at gmail dot com", "fatima @ hotmail . nl"."""
    pos = 0
    while (m := _EMAIL_OBF_RE.search(view, pos)) is not None:
        at, domain = m.group("at"), m.group("domain")
        bracketed = at.strip()[:1] in "[({<" or "@" in at
        parts = _EMAIL_DOT_SPLIT_RE.split(domain.casefold())
        ok = len(parts) >= 2 and parts[-1] in _TLDS
        # "look at home dot nl" needs a provider or a spelled-out dot to count
        if ok and not bracketed:
            local = view[m.start() : m.start("at")].casefold()
            ok = local not in _FUNCTION_WORDS and local not in ("us", "them", "him", "you")
            ok = ok and (
                parts[0] in _MAIL_PROVIDERS or _EMAIL_DOT_WORD_RE.search(domain) is not None
            )
        if ok:
            yield m.start(), m.end(), "email"
            pos = m.end()
        else:  # "me at amir.r(at)ukr(dot)net": the address may start inside a refused match
            pos = m.start("domain")


def _find_url(view: str):
    for m in _URL_RE.finditer(view):
        s, e = m.span()
        while e > s and view[e - 1] in _URL_TRAIL:
            e -= 1
        if e - s > 4:
            yield s, e, "url"


def _digit_positions(view: str, s: int, e: int) -> list[int]:
    return [k for k in range(s, e) if "0" <= view[k] <= "9"]


def _find_phone(view: str):
    for m in _PHONE_INTL_RE.finditer(view):
        s, e = m.span(1)
        pos = _digit_positions(view, s, e)
        # drop a "(0)" trunk prefix: +31 (0)6 ...
        counted = [
            k
            for k in pos
            if not (view[k] == "0" and view[k - 1 : k] == "(" and view[k + 1 : k + 2] == ")")
        ]
        digits = "".join(view[k] for k in counted)
        if digits.startswith("00"):  # the "00" exit code is not part of the number
            counted, digits = counted[2:], digits[2:]
        cc = next((digits[:n] for n in (1, 2, 3) if digits[:n] in _CC_LENGTHS), None)
        if cc is None:
            if not 8 <= len(digits) <= 15:
                continue
            keep = min(len(digits), 15)
        else:
            lo, hi = _CC_LENGTHS[cc]
            national = len(digits) - len(cc)
            if national < lo:
                continue
            keep = len(cc) + min(national, hi)
        end = counted[keep - 1] + 1
        if end < e and "0" <= view[end] <= "9":
            end = e  # never cut inside a digit group: take the whole run
        yield s, end, "phone"
    for m in _PHONE_NAT_RE.finditer(view):
        s, e = m.span(1)
        text = view[s:e]
        if _DATE_PREFIX_RE.match(text):
            continue
        pos = _digit_positions(view, s, e)
        digits = "".join(view[k] for k in pos)
        n = len(digits)
        if digits[1] == "0":  # 00... is international
            continue
        if n == 11 and not digits.startswith(("05", "09")):  # Turkish and Iranian mobiles
            # Dutch numbers have 10 digits: keep 10 if the 11th starts a new group
            if not ("0" <= view[pos[9] + 1] <= "9"):
                e, n = pos[9] + 1, 10
            else:
                continue
        if n in (10, 11):
            yield s, e, "phone"
        elif n == 9:
            # 9-digit numbers starting with 0 (e.g. Belgian landlines); a 0-prefixed
            # BSN that passes the elfproef wins the tie because BSN has priority
            yield s, e, "phone"
        elif n == 8 and digits[:4] in ("0800", "0900", "0906", "0909") and text[:4].isdigit():
            yield s, e, "phone"
    for m in _PHONE_MOBILE_NO_TRUNK_RE.finditer(view):
        yield m.start(), m.end(), "phone"


def _is_date_like(d: str) -> bool:
    """yyyymmdd or ddmmyyyy (19xx/20xx)."""

    def ok(day: str, month: str) -> bool:
        return 1 <= int(day) <= 31 and 1 <= int(month) <= 12

    return (d[:2] in ("19", "20") and ok(d[6:8], d[4:6])) or (
        d[4:6] in ("19", "20") and ok(d[0:2], d[2:4])
    )


def _find_bsn(view: str):
    for m in _BSN_RE.finditer(view):
        s, e = m.span(1)
        digits = "".join(ch for ch in view[s:e] if "0" <= ch <= "9")
        if len(digits) == 8 and _is_date_like(digits):
            continue
        if bsn_is_valid(digits):
            yield s, e, "bsn"


def _find_vnummer(view: str):
    for regex in (_VNR_AFTER_LABEL_RE, _VNR_BEFORE_LABEL_RE):
        for m in regex.finditer(view):
            s, e = m.span(1)
            yield s, e, "vnummer"
    for m in _VNR_BARE_RE.finditer(view):
        s, e = m.span()
        yield s, e, "vnummer"


def _find_iban(view: str):
    n = len(view)
    for m in _IBAN_START_RE.finditer(view):
        s = m.start()
        cc = view[s : s + 2].upper()
        length = IBAN_LENGTHS.get(cc)
        if length is None:
            continue
        chars: list[str] = []
        k = s
        while k < n and len(chars) < length:
            ch = view[k]
            if ch.isascii() and ch.isalnum():
                chars.append(ch)
            elif ch in " \u00a0" and chars and k + 1 < n and view[k + 1] not in " \u00a0":
                pass
            else:
                break
            k += 1
        if len(chars) != length:
            continue
        if k < n and view[k].isalnum():
            continue
        if iban_is_valid("".join(chars)):
            yield s, k, "iban"


#: capitalised words before a street name that are not part of it ("Bij", "Adres", "Adresim")
_NOT_A_STREET = (
    _FUNCTION_WORDS
    | _NOT_A_NAME
    | frozenset("adres adresse adresim address adrese straat street woonadres sokak".split())
)


def _street_start(view: str, s: int, words: str) -> int:
    """Drop leading capitalised function words ("Bij Kerkstraat 12")."""
    parts = words.split()
    offset = 0
    while len(parts) > 1 and parts[0].casefold() in _NOT_A_STREET:
        offset = view.index(parts[1], s + offset + len(parts[0])) - s
        parts.pop(0)
    return s + offset


#: a piece of every label the labelled address and room patterns need (casefolded): without
#: one, those patterns, which try every position of the text, are skipped
_ADDRESS_LABEL_HINTS = (
    "nummer", "nr", "no", "number", "house", "numara", "kap", "номер", "буд", "д", "رقم", "منزل",
    "بيت", "پلاک", "شماره", "ቁጽሪ", "ገዛ", "№", "post", "zip", "індекс", "رمز", "کد", "ፖስታ",
    "kamer", "room", "unit", "oda", "кімнат", "комнат", "غرف", "اتاق", "ክፍሊ",
)  # fmt: skip


def _find_address(view: str, labels: bool = True):
    for m in _ADDR_STREET_POSTCODE_RE.finditer(view):
        yield _street_start(view, m.start(), m.group(1)), m.end(), "address"
    for m in _ADDR_POSTCODE_HNR_RE.finditer(view):
        code = m.group(1)
        letters = code[-2:]
        if letters in _ABBREV_LETTERS and 1900 <= int(code[:4]) <= 2099:
            continue
        yield m.start(), m.end(), "address"
    if labels:
        for m in _ADDR_HNR_POSTCODE_RE.finditer(view):
            yield m.start(), m.end(), "address"
        for m in _ADDR_LABELLED_POSTCODE_RE.finditer(view):
            yield m.start(1), m.end(), "address"  # the label stays: "postcode [adres]"
        for m in _ROOM_RE.finditer(view):
            yield m.start(), m.end(), "address"
        for m in _ROOM_BEFORE_RE.finditer(view):
            yield m.start(), m.end(), "address"
    for m in _ADDR_STREET_RE.finditer(view):
        last = m.group(1).split()[-1].casefold()
        if any(last.endswith(suf) and len(last) > len(suf) + 1 for suf in _STREET_SUFFIXES):
            yield _street_start(view, m.start(), m.group(1)), m.end(), "address"


def _find_name(view: str, lang: str | None):
    for regex, strong, phrase_lang in _NAME_RES:
        if not strong and lang is not None and lang != phrase_lang:
            continue
        for m in regex.finditer(view):
            span = _take_name(view, m.end(), strong)
            if span is not None:
                yield span[0], span[1], "name"


# --------------------------------------------------------------------------
# the scrubber
# --------------------------------------------------------------------------
_ASCII_DIGIT_RE = re.compile(r"[0-9]")
#: an obfuscated e-mail spells out "at" or writes "@" (checked above): one cheap scan
#: words (with marks and joiners) of the casefolded view: what the gates look at
_GATE_WORD_RE = re.compile(r"[\w" + _MARKS + r"]+")
#: an obfuscated e-mail address spells out "at" (or writes "@", checked apart)
_AT_WORDS = frozenset("at et apenstaartje ات آت أت اَت собака равлик ኣት".split())
#: one word of each lead-in phrase ("ik *ben*"), and substrings for phrases that may be glued
#: to other letters ("voor*naam*", "و*اسم*ي") or change under casefolding (Turkish "İsmim")
_PHRASE_WORDS = frozenset(["ben"])
_PHRASE_SUBSTRINGS = (
    "naam",
    "heet",
    "noem",
    "name",
    "call",
    "سم",
    "نام",
    "adım",
    "adim",
    "smim",
    "зват",
    "звут",
    "моє",
    "мое",
    "моё",
    "зовут",
    "ስመይ",
    "ስሜ",
    "ሽመይ",
)


_PHRASE_SUBSTRING_RE = re.compile("|".join(map(re.escape, _PHRASE_SUBSTRINGS)))


def _gate_words(keys) -> frozenset[str]:
    return frozenset(w for key in keys for w in _GATE_WORD_RE.findall(_fold(key)))


def _context_gate_words(lang: str | None) -> frozenset[str]:
    """One word of each context phrase that applies to ``lang`` (the longest: "*thank* you")."""
    return _gate_words(
        max(phrase.split("_"), key=len)
        for phrases, phrase_lang, _strength in _NAME_CONTEXTS
        if phrase_lang is None or lang is None or phrase_lang == lang
        for phrase in phrases.split()
    )


# The listed-name finder needs a context word or a given name that is not an ordinary word;
# a given name that is also a word counts only next to a family name. Its gate checks that.
_UNMARKED_GIVEN_WORDS = _gate_words(k for k, ordinary in _GIVEN.items() if not ordinary)
_MARKED_GIVEN_WORDS = _gate_words(k for k, ordinary in _GIVEN.items() if ordinary)
_FAMILY_WORDS = _gate_words(_FAMILY)
_CONTEXT_GATE_WORDS = {
    lang: _context_gate_words(lang) | _UNMARKED_GIVEN_WORDS for lang in (*_SUPPORTED_LANGS, None)
}


def _listed_names_possible(words: set[str], lang: str | None) -> bool:
    if not words.isdisjoint(_CONTEXT_GATE_WORDS[lang]):
        return True
    return not words.isdisjoint(_MARKED_GIVEN_WORDS) and not words.isdisjoint(_FAMILY_WORDS)


def _one_pass(text: str, lang: str | None, gate: bool = True) -> tuple[str, dict[str, int]]:
    view = _view(text)  # other digit scripts are already ASCII digits here
    candidates: list[tuple[int, int, str]] = []
    # Each finder only runs when the text holds what its pattern cannot do without: most
    # answers hold no digit, "@", spelled-out "at", link, name phrase or listed name, and
    # skipping is a fifth of a submission. The words of the casefolded text are taken once for
    # the word gates. (``gate=False`` runs every finder: a test checks the gates change nothing.)
    if not gate or "@" in view:
        candidates.extend(_find_email(view))
    low = _fold(view) if gate else ""
    words = set(_GATE_WORD_RE.findall(low)) if gate else set()
    if not gate or "@" in view or not words.isdisjoint(_AT_WORDS):
        candidates.extend(_find_obfuscated_email(view))
    if not gate or "://" in view or "www." in view.lower():
        candidates.extend(_find_url(view))
    digits = len(_ASCII_DIGIT_RE.findall(view)) if not gate or _ASCII_DIGIT_RE.search(view) else 0
    digits = digits if gate else 99
    if digits:
        candidates.extend(_find_iban(view))
        labels = not gate or any(hint in low for hint in _ADDRESS_LABEL_HINTS)
        candidates.extend(_find_address(view, labels))
    if digits >= 7:  # the shortest phone number; a BSN has 8 or 9 digits, a V-number 10
        candidates.extend(_find_vnummer(view))
        candidates.extend(_find_bsn(view))
        candidates.extend(_find_phone(view))
    if not gate or not words.isdisjoint(_PHRASE_WORDS) or _PHRASE_SUBSTRING_RE.search(low):
        candidates.extend(_find_name(view, lang))
    if not gate or _listed_names_possible(words, lang):
        candidates.extend(_find_listed_names(view, lang))
    counts = dict.fromkeys(KINDS, 0)
    if not candidates:
        return text, counts
    candidates.sort(key=lambda c: (c[0] - c[1], _PRIORITY[c[2]], c[0]))
    taken = bytearray(len(text))
    chosen: list[tuple[int, int, str]] = []
    for s, e, kind in candidates:
        if e <= s or taken.find(1, s, e) != -1:
            continue
        if "\x00" in view[s:e]:  # never swallow an existing placeholder
            continue
        taken[s:e] = b"\x01" * (e - s)
        chosen.append((s, e, kind))
    chosen.sort()
    out: list[str] = []
    last = 0
    for s, e, kind in chosen:
        out.append(text[last:s])
        out.append(PLACEHOLDERS[kind])
        counts[kind] += 1
        last = e
    out.append(text[last:])
    return "".join(out), counts


def scrub_with_report(text: str, lang: str | None = None) -> tuple[str, dict[str, int]]:
    """Scrub ``text`` and report how many items of each kind were replaced.

    ``lang`` (e.g. ``"nl"``, ``"ar"``, ``"fa"``) only restricts the ambiguous
    name phrases ("ik ben X", "call me X", "adım X") to that language; all
    other patterns, including the explicit "my name is" phrases of every
    shipped language, always apply because residents mix languages.
    """
    if not isinstance(text, str):
        raise TypeError(f"scrub() expects str, got {type(text).__name__}")
    norm = _norm_lang(lang)
    total = dict.fromkeys(KINDS, 0)
    for _ in range(_MAX_PASSES):
        new, counts = _one_pass(text, norm)
        if new == text:
            break
        for kind, n in counts.items():
            total[kind] += n
        text = new
    return text, total


def scrub(text: str, lang: str | None = None) -> str:
    """Return ``text`` with personal data replaced by Dutch placeholders."""
    return scrub_with_report(text, lang)[0]
