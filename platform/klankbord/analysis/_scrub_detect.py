"""The scrubber's detectors of structured identifiers: each yields (start, end, kind)."""

from __future__ import annotations

from klankbord.analysis._scrub_patterns import (
    _ABBREV_LETTERS,
    _ADDR_HNR_POSTCODE_RE,
    _ADDR_LABELLED_POSTCODE_RE,
    _ADDR_POSTCODE_HNR_RE,
    _ADDR_STREET_POSTCODE_RE,
    _ADDR_STREET_RE,
    _BSN_RE,
    _CC_LENGTHS,
    _DATE_PREFIX_RE,
    _EMAIL_DOT_SPLIT_RE,
    _EMAIL_DOT_WORD_RE,
    _EMAIL_OBF_RE,
    _EMAIL_RE,
    _IBAN_START_RE,
    _MAIL_PROVIDERS,
    _PHONE_INTL_RE,
    _PHONE_MOBILE_NO_TRUNK_RE,
    _PHONE_NAT_RE,
    _ROOM_BEFORE_RE,
    _ROOM_RE,
    _STREET_SUFFIXES,
    _TLDS,
    _URL_RE,
    _URL_TRAIL,
    _VNR_AFTER_LABEL_RE,
    _VNR_BARE_RE,
    _VNR_BEFORE_LABEL_RE,
    IBAN_LENGTHS,
    bsn_is_valid,
    iban_is_valid,
)
from klankbord.analysis._scrub_phrases import (
    _FUNCTION_WORDS,
    _NOT_A_NAME,
)


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
