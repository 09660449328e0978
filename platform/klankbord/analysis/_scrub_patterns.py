"""The scrubber's checksums and regular expressions for numbers, e-mail and addresses."""

from __future__ import annotations

import re

from klankbord.analysis._scrub_view import (
    _VIEW_TABLE,
)


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
