"""Tests for klankbord.analysis.scrub (personal-data scrubber)."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

try:
    # klankbord.analysis re-exports the scrub *function*, so import the module by name
    scrub_mod = importlib.import_module("klankbord.analysis.scrub")
except ImportError:  # package not installed (yet): import from the source tree
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "platform"))
    scrub_mod = importlib.import_module("klankbord.analysis.scrub")

scrub = scrub_mod.scrub
scrub_with_report = scrub_mod.scrub_with_report
PLACEHOLDERS = scrub_mod.PLACEHOLDERS

PHONE = PLACEHOLDERS["phone"]
EMAIL = PLACEHOLDERS["email"]
URL = PLACEHOLDERS["url"]
BSN = PLACEHOLDERS["bsn"]
VNR = PLACEHOLDERS["vnummer"]
IBAN = PLACEHOLDERS["iban"]
ADRES = PLACEHOLDERS["address"]
NAAM = PLACEHOLDERS["name"]

HYPO = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(text: str, expected: str, lang: str | None = None) -> None:
    out = scrub(text, lang)
    assert out == expected
    assert scrub(out, lang) == out  # idempotent


# --------------------------------------------------------------------------
# API
# --------------------------------------------------------------------------
def test_placeholders_are_dutch_and_visible():
    assert set(PLACEHOLDERS.values()) == {
        "[telefoonnummer]",
        "[e-mail]",
        "[bsn]",
        "[v-nummer]",
        "[iban]",
        "[adres]",
        "[url]",
        "[naam]",
    }


def test_report_counts_replacements():
    text = "Bel 06-12345678 of 020-1234567, mail a@b.nl, BSN 123456782. Mijn naam is Jan."
    out, report = scrub_with_report(text, "nl")
    assert out == f"Bel {PHONE} of {PHONE}, mail {EMAIL}, BSN {BSN}. Mijn naam is {NAAM}."
    assert report["phone"] == 2
    assert report["email"] == 1
    assert report["bsn"] == 1
    assert report["name"] == 1
    assert report["iban"] == 0
    assert set(report) == set(PLACEHOLDERS)


def test_report_empty_for_clean_text():
    out, report = scrub_with_report("Niets bijzonders hier.")
    assert out == "Niets bijzonders hier."
    assert not any(report.values())


@pytest.mark.parametrize(
    "lang", [None, "nl", "en", "ar", "ti", "fa", "prs", "tr", "uk", "nl-NL", "xx", ""]
)
def test_any_lang_code_is_accepted(lang):
    assert scrub("Bel 06-12345678", lang) == f"Bel {PHONE}"


def test_non_str_rejected():
    with pytest.raises(TypeError):
        scrub(None)  # type: ignore[arg-type]


def test_checksum_helpers():
    assert scrub_mod.bsn_is_valid("123456782")
    assert scrub_mod.bsn_is_valid("123.456.782")
    assert not scrub_mod.bsn_is_valid("123456789")
    assert not scrub_mod.bsn_is_valid("000000000")
    assert scrub_mod.iban_is_valid("NL91 ABNA 0417 1643 00")
    assert not scrub_mod.iban_is_valid("NL92 ABNA 0417 1643 00")


# --------------------------------------------------------------------------
# phone numbers
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "number",
    [
        "06-12345678",
        "06 1234 5678",
        "0612345678",
        "06 12 34 56 78",
        "06.12.34.56.78",
        "+31 6 12345678",
        "+31612345678",
        "0031 6 12345678",
        "0031612345678",
        "+31 (0)6 12345678",
        "(06) 12345678",
        "020-1234567",
        "010 123 4567",
        "(020) 123 4567",
        "0201234567",
        "0800-1234",
        "+32 470 12 34 56",
        "+49 151 23456789",
        "+49 30 1234567",
        "+963 944 123 456",
        "+251 91 123 4567",
        "+90 532 123 45 67",
        "+380 50 123 4567",
        "+291 7 123456",
        "+93 70 123 4567",
        "+98 912 345 6789",
        "+964 750 123 4567",
        "+44 20 7946 0958",
        "0532 123 45 67",
        "٠٦١٢٣٤٥٦٧٨",
        "٠٦-١٢٣٤٥٦٧٨",
        "+٣١ ٦ ١٢٣٤٥٦٧٨",
        "۰۶۱۲۳۴۵۶۷۸",
        "+۹۸ ۹۱۲ ۳۴۵ ۶۷۸۹",
        "06\u200e12345678",
    ],
)
@pytest.mark.parametrize(
    "template", ["{}", "Bel me op {}.", "tel: {}, graag na 17 uur", "رقمي {} شكرا"]
)
def test_phone_numbers_removed(number, template):
    check(template.format(number), template.format(PHONE))


def test_phone_replaces_original_digits_only():
    text = "Mijn nummer: ٠٦١٢٣٤٥٦٧٨ (WhatsApp) 2x per dag"
    assert scrub(text) == f"Mijn nummer: {PHONE} (WhatsApp) 2x per dag"


def test_phone_followed_by_year_keeps_year():
    assert scrub("+31 6 12345678 en 2024") == f"{PHONE} en 2024"


def test_two_phone_numbers():
    assert scrub("06-12345678/06-87654321") == f"{PHONE}/{PHONE}"


# --------------------------------------------------------------------------
# ordinary numbers must survive
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "ik kook 3 keer per week",
        "in 2024",
        "in 2024 en 2025",
        "12 maanden",
        "€ 50",
        "€ 1.250,00 per maand",
        "een kamer van 12 m2",
        "ik ben 25 jaar",
        "om 10:30 uur",
        "op 09-05-2024",
        "op 01-01-2024 12 uur",
        "12/05/2024",
        "3 times a week",
        "I waited 18 months",
        "we are 5 people in 2 rooms",
        "score 7,5",
        "0,5 liter",
        "1.000.000 inwoners",
        "postbus 1000",
        "in 2024 EU 12 landen",
        "hij is 1,85 m",
        "123456789",  # fails the elfproef and has no phone shape
        "1234 5678 9012 3456",
        "عمري ٢٥ سنة",
        "۱۴۰۲",
        "12 34",
        "Vluchtnummer KL1234",
    ],
)
def test_ordinary_numbers_survive(text):
    check(text, text)


# --------------------------------------------------------------------------
# e-mail and URLs
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "email",
    [
        "jan@example.nl",
        "jan.jansen+klankbord@gemeente-zwolle.nl",
        "A.B@Example.COM",
        "fatima_99@mail.co.uk",
        "user@sub.domain.org",
        "محمد@example.com",
    ],
)
def test_email_removed(email):
    check(f"Mail naar {email}, graag.", f"Mail naar {EMAIL}, graag.")
    check(f"({email})", f"({EMAIL})")


@pytest.mark.parametrize("text", ["@gemeente", "a@b", "prijs @ 5 euro", "x@y.1", "@@@"])
def test_email_negatives(text):
    check(text, text)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com",
        "http://example.com/pad?x=1&y=2",
        "https://facebook.com/jan.jansen",
        "www.mijnsite.nl",
        "WWW.Example.org/a/b",
        "https://t.me/ahmed_1990",
    ],
)
def test_url_removed(url):
    check(f"Zie {url}.", f"Zie {URL}.")
    check(f"zie ({url})", f"zie ({URL})")
    check(f"{url}، شكرا", f"{URL}، شكرا")


def test_url_with_email_inside_is_one_url():
    assert scrub("https://x.nl/?mail=a@b.nl") == URL


# --------------------------------------------------------------------------
# BSN
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "bsn",
    [
        "123456782",
        "123 456 782",
        "123.456.782",
        "1234.56.782",
        "111222333",
        "012345672",
        "12345672",  # 8 digits = leading zero dropped
        "١٢٣٤٥٦٧٨٢",
        "۱۲۳۴۵۶۷۸۲",
    ],
)
@pytest.mark.parametrize("template", ["{}", "Mijn BSN is {}.", "bsn: {} (klopt)", "رقمي {}"])
def test_bsn_removed(bsn, template):
    check(template.format(bsn), template.format(BSN))


@pytest.mark.parametrize(
    "number",
    ["123456789", "123 456 789", "123.456.789", "111222334", "000000000", "20240115", "15012024"],
)
def test_numbers_failing_elfproef_are_not_bsn(number):
    out = scrub(f"code {number} klaar")
    assert BSN not in out
    assert out == f"code {number} klaar"


def test_nine_digit_zero_prefixed_non_bsn_is_phone():
    # fails the elfproef, but 0-prefixed 9-digit numbers are (e.g. Belgian) phone numbers
    assert not scrub_mod.bsn_is_valid("021234567")
    assert scrub("bel 02 123 45 67") == f"bel {PHONE}"


# --------------------------------------------------------------------------
# V-nummer
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("V-nummer 1234567890", f"V-nummer {VNR}"),
        ("mijn vnummer is 1234567890.", f"mijn vnummer is {VNR}."),
        ("v-nr: 12 34 56 78 90", f"v-nr: {VNR}"),
        ("V.nr 1234 567 890", f"V.nr {VNR}"),
        ("vreemdelingennummer: 2612345678", f"vreemdelingennummer: {VNR}"),
        ("IND nummer 2233445566", f"IND nummer {VNR}"),
        ("bij het COA: 22.33.44.55.66", f"bij het COA: {VNR}"),
        ("My V-number is 1234567890", f"My V-number is {VNR}"),
        ("V numaram 1234567890", f"V numaram {VNR}"),
        ("мій V-номер 1234567890", f"мій V-номер {VNR}"),
        ("رقم V الخاص بي ١٢٣٤٥٦٧٨٩٠", f"رقم V الخاص بي {VNR}"),
        ("شماره V من ۱۲۳۴۵۶۷۸۹۰", f"شماره V من {VNR}"),
        ("12 34 56 78 90 is mijn V-nummer", f"{VNR} is mijn V-nummer"),
        ("1234567890", VNR),  # unlabelled 10-digit identifier
    ],
)
def test_vnummer_removed(text, expected):
    check(text, expected)


def test_ten_digit_number_with_leading_zero_is_phone():
    assert scrub("0612345678") == PHONE


@pytest.mark.parametrize("text", ["12 34 56 78 90", "IND 2024", "COA locatie 12"])
def test_vnummer_negatives(text):
    check(text, text)


# --------------------------------------------------------------------------
# IBAN
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "iban",
    [
        "NL91ABNA0417164300",
        "NL91 ABNA 0417 1643 00",
        "nl91abna0417164300",
        "BE68539007547034",
        "DE89 3704 0044 0532 0130 00",
        "TR33 0006 1005 1978 6457 8413 26",
        "GB29NWBK60161331926819",
        "UA213223130000026007233566001",
    ],
)
def test_iban_removed(iban):
    check(f"Rekening {iban}, bedankt", f"Rekening {IBAN}, bedankt")
    check(f"IBAN: {iban}.", f"IBAN: {IBAN}.")


@pytest.mark.parametrize(
    "text",
    [
        "NL92ABNA0417164300",
        "NL91 ABNA 0417 1643 01",
        "XX91ABNA0417164300",
        "AB12 hallo wereld test",
    ],
)
def test_iban_negatives(text):
    assert IBAN not in scrub(text)


# --------------------------------------------------------------------------
# addresses
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234 AB 12", ADRES),
        ("1234AB 12a", ADRES),
        ("postcode 1234 AB, 12", f"postcode {ADRES}"),
        ("1234ab 7", ADRES),
        ("Kerkstraat 12, 1234 AB Amsterdam", f"{ADRES} Amsterdam"),
        ("Ik woon Kerkstraat 12 1234 AB", f"Ik woon {ADRES}"),
        ("Stationsweg 3-2\n1234 AB Utrecht", f"{ADRES} Utrecht"),
        ("Van Goghstraat 7 hs", ADRES),
        ("Ik woon op de Dorpsstraat 5.", f"Ik woon op de {ADRES}."),
        ("Bij Kerkstraat 12 is een markt", f"Bij {ADRES} is een markt"),
        ("Adres: Lange Nieuwstraat 104b", f"Adres: {ADRES}"),
        ("١٢٣٤ AB ١٢", ADRES),
    ],
)
def test_address_removed(text, expected):
    check(text, expected)


@pytest.mark.parametrize(
    "text",
    [
        "in 2024 EU 12 landen",
        "1234 AB",
        "Straat 12",
        "de Tweede Kamer 150 zetels",
        "kamer 12 m2",
        "we slapen met 6 mensen op 1 kamer",
        "weg 12 km",
        "De straat is 12 meter breed",
    ],
)
def test_address_negatives(text):
    check(text, text)


# --------------------------------------------------------------------------
# names
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected", "lang"),
    [
        # Dutch
        ("Mijn naam is Ahmed.", f"Mijn naam is {NAAM}.", "nl"),
        (
            "mijn naam is Ahmed Ali en ik woon in Zwolle",
            f"mijn naam is {NAAM} en ik woon in Zwolle",
            "nl",
        ),
        ("Ik heet Fatima el Amrani.", f"Ik heet {NAAM}.", "nl"),
        ("Ik heet Jan van der Berg, 40 jaar", f"Ik heet {NAAM}, 40 jaar", "nl"),
        ("ik heet fatima", f"ik heet {NAAM}", "nl"),
        ("Ik ben Ahmed en ik kom uit Syrië", f"Ik ben {NAAM} en ik kom uit Syrië", "nl"),
        ("Naam: Yonas Tesfay", f"Naam: {NAAM}", "nl"),
        ("Mijn voornaam is Olena", f"Mijn voornaam is {NAAM}", "nl"),
        # English
        ("My name is John Smith.", f"My name is {NAAM}.", "en"),
        ("my name's Sara and I like it", f"my name's {NAAM} and I like it", "en"),
        ("I am called Mo", f"I am called {NAAM}", "en"),
        ("I'm called Abdi Hassan", f"I'm called {NAAM}", "en"),
        ("Call me Ahmed", f"Call me {NAAM}", "en"),
        ("my name is ahmed hassan and i live here", f"my name is {NAAM} and i live here", "en"),
        # Arabic
        ("اسمي أحمد", f"اسمي {NAAM}", "ar"),
        ("اسمي أحمد علي وأنا من سوريا", f"اسمي {NAAM} وأنا من سوريا", "ar"),
        ("أنا اسمي محمد، عمري ٣٠", f"أنا اسمي {NAAM}، عمري ٣٠", "ar"),
        ("اسمي هو خالد.", f"اسمي هو {NAAM}.", "ar"),
        # Farsi / Dari
        ("اسم من علی است", f"اسم من {NAAM} است", "fa"),
        ("اسمم رضا احمدی هست", f"اسمم {NAAM} هست", "fa"),
        ("نام من زهرا است.", f"نام من {NAAM} است.", "prs"),
        # Turkish
        ("Benim adım Mehmet Yılmaz.", f"Benim adım {NAAM}.", "tr"),
        ("Adım Ayşe, Ankara'dan geldim", f"Adım {NAAM}, Ankara'dan geldim", "tr"),
        ("ismim İbrahim ve 30 yaşındayım", f"ismim {NAAM} ve 30 yaşındayım", "tr"),
        # Ukrainian (and Russian)
        ("Мене звати Олена.", f"Мене звати {NAAM}.", "uk"),
        ("Моє ім'я Тарас Шевченко, я з Києва", f"Моє ім'я {NAAM}, я з Києва", "uk"),
        ("моє ім’я Ірина", f"моє ім’я {NAAM}", "uk"),
        ("Меня зовут Анна", f"Меня зовут {NAAM}", "uk"),
        # Tigrinya
        ("ስመይ ሰላም እዩ።", f"ስመይ {NAAM} እዩ።", "ti"),
        ("ስመይ ዮናስ ተስፋይ እዩ", f"ስመይ {NAAM} እዩ", "ti"),
    ],
)
def test_names_removed(text, expected, lang):
    check(text, expected, lang)
    check(text, expected)  # language-independent as well


@pytest.mark.parametrize(
    "text",
    [
        "ik ben moe",
        "Ik ben blij met de hulp",
        "ik ben 25 jaar",
        "Ik ben Syriër",
        "Ik ben Nederlands aan het leren",
        "ik heet je welkom",
        "mijn naam is niet belangrijk",
        "call me tomorrow",
        "The name is not important",
        "bir adım daha",
        "Mijn naam is.",
        "اسمي",
        "de naamval is lastig",
    ],
)
def test_name_negatives(text):
    check(text, text)


def test_weak_phrase_restricted_by_lang():
    # "Zorro" is in no name list, so only the Dutch lead-in phrase can take it
    assert scrub("Ik ben Zorro", "nl") == f"Ik ben {NAAM}"
    assert scrub("Ik ben Zorro", "en") == "Ik ben Zorro"
    assert scrub("My name is Ahmed", "nl") == f"My name is {NAAM}"  # explicit phrases always


# --------------------------------------------------------------------------
# mixed text, idempotence, robustness
# --------------------------------------------------------------------------
MIXED = (
    "Hallo, mijn naam is Yonas Tesfay. Mijn V-nummer is 1234567890 en mijn BSN 123456782. "
    "Bel me op +31 6 12345678 of mail yonas@example.com. Ik woon Kerkstraat 12, 1234 AB "
    "Zwolle. Rekening NL91 ABNA 0417 1643 00. Zie https://fb.com/yonas. Ik kook 3 keer per week."
)


def test_mixed_text():
    out, report = scrub_with_report(MIXED)
    assert out == (
        f"Hallo, mijn naam is {NAAM}. Mijn V-nummer is {VNR} en mijn BSN {BSN}. "
        f"Bel me op {PHONE} of mail {EMAIL}. Ik woon {ADRES} "
        f"Zwolle. Rekening {IBAN}. Zie {URL}. Ik kook 3 keer per week."
    )
    assert all(v == 1 for v in report.values())


def test_existing_placeholders_are_untouched():
    text = " ".join(PLACEHOLDERS.values()) + " mijn naam is [naam] 06-12345678"
    assert scrub(text) == " ".join(PLACEHOLDERS.values()) + f" mijn naam is [naam] {PHONE}"


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\n",
        "\u202e06-12345678\u202c",
        "\u200b\u200c\u200d",
        "🙂" * 50,
        "\x00[bsn]\x00",
        "\ud800",
        "[[[[]]]]",
        "a" * 1000,
        "𝟎𝟔𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖",
        "[telefoonnummer" + "]" * 3,
        "\ufeff",
        "Mijn naam is 🙂",
        "ስመይ ።",
        "‏+31 6 12345678‏",
    ],
)
def test_odd_input_does_not_crash(text):
    out = scrub(text)
    assert isinstance(out, str)
    assert scrub(out) == out


def test_spacing_and_rest_of_text_preserved():
    text = "  Regel één\t\tmet tabs\r\n06 1234 5678   en  \u00a0 meer  "
    assert scrub(text) == f"  Regel één\t\tmet tabs\r\n{PHONE}   en  \u00a0 meer  "


@pytest.mark.parametrize(
    "unit",
    [
        "a",
        "1",
        "1 ",
        "0 ",
        "06-",
        "a@",
        "x@y.",
        "http://",
        "Aa ",
        "NL91 ",
        "+3 ",
        "ab12",
        "Kerkstraat 1 ",
        "mijn naam is ",
        "Mijn naam is Jan ",
        "٠",
        "[bsn]",
        "a.",
        "اسمي ",
    ],
)
def test_long_input_is_fast(unit):
    text = (unit * (100_000 // len(unit) + 1))[:100_000]
    start = time.perf_counter()
    out = scrub(text)
    assert time.perf_counter() - start < 3.0
    assert isinstance(out, str)


# --------------------------------------------------------------------------
# property-based tests
# --------------------------------------------------------------------------
@st.composite
def valid_bsns(draw):
    first = draw(st.lists(st.integers(0, 9), min_size=8, max_size=8))
    s = sum(d * w for d, w in zip(first, range(9, 1, -1), strict=True))
    last = s % 11
    if last == 10 or (not any(first) and last == 0):
        first[0] = (first[0] + 1) % 10  # shift the sum by 9 ≡ -2 (mod 11)
        s = sum(d * w for d, w in zip(first, range(9, 1, -1), strict=True))
        last = s % 11
    if last == 10:
        first[1] = (first[1] + 1) % 10
        s = sum(d * w for d, w in zip(first, range(9, 1, -1), strict=True))
        last = s % 11
    digits = "".join(map(str, first)) + str(last)
    if last == 10 or set(digits) == {"0"}:
        digits = "123456782"
    style = draw(st.sampled_from(["plain", "space", "dot"]))
    if style == "space":
        return digits, f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    if style == "dot":
        return digits, f"{digits[:3]}.{digits[3:6]}.{digits[6:]}"
    return digits, digits


words = st.text(
    alphabet=st.characters(blacklist_categories=("Nd", "Cs"), blacklist_characters="\x00"),
    max_size=30,
)


@HYPO
@given(valid_bsns(), words, words)
def test_property_valid_bsn_is_removed(bsn, before, after):
    digits, written = bsn
    assert scrub_mod.bsn_is_valid(digits)
    out = scrub(f"{before} {written} {after}")
    assert written not in out
    assert digits not in out.replace(" ", "").replace(".", "")


@HYPO
@given(st.text())
def test_property_idempotent_any_text(text):
    once = scrub(text)
    assert scrub(once) == once


pii_fragments = st.sampled_from(
    [
        "06-12345678",
        "123456782",
        "NL91ABNA0417164300",
        "a@b.nl",
        "www.x.nl",
        "1234 AB 12",
        "mijn naam is Jan",
        "V-nr 1234567890",
        "+963 944 123 456",
        "[bsn]",
        "[naam]",
        " ",
        ".",
        "٠٦١٢٣٤٥٦٧٨",
        "ik ben Ahmed",
        "اسمي أحمد",
        "0",
        "1",
        "-",
        "Kerkstraat 5",
        "@",
        "\u200e",
        "Groeten, Fatima",
        "mijn moeder Amina Yusuf",
        "أخي أحمد علي",
        "ዮናስ ተስፋይ",
        "fatima [at] gmail [dot] com",
        " at gmail dot com",
        "AZC kamer 12",
        "postcode 1234AB nr 5",
        "6-1234-5678",
        "Ben ",
        "İsmim ",
        "Amal",
        "I'm Yonas",
        "İbrahim Yılmaz",
    ]
)


@HYPO
@given(st.lists(st.one_of(pii_fragments, st.text(max_size=5)), max_size=20))
def test_property_idempotent_pii_soup(parts):
    text = "".join(parts)
    once = scrub(text)
    assert scrub(once) == once


@HYPO
@given(
    st.lists(st.one_of(pii_fragments, st.text(max_size=5)), max_size=20),
    st.sampled_from([None, "nl", "en", "ar", "fa", "tr", "uk", "ti"]),
)
def test_property_skipping_finders_never_changes_the_result(parts, lang):
    """The quick gates (no digit, no "@", no link, no name phrase) only skip work."""
    text = "".join(parts)
    lang = scrub_mod._norm_lang(lang)
    assert scrub_mod._one_pass(text, lang) == scrub_mod._one_pass(text, lang, gate=False)


@st.composite
def valid_ibans(draw):
    country = draw(st.sampled_from(sorted(scrub_mod.IBAN_LENGTHS)))
    length = scrub_mod.IBAN_LENGTHS[country]
    bban = draw(
        st.text(
            alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            min_size=length - 4,
            max_size=length - 4,
        )
    )
    numeric = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    check_digits = 98 - int(numeric) % 97
    iban = f"{country}{check_digits:02d}{bban}"
    spaced = draw(st.booleans())
    if spaced:
        iban = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    return iban


@HYPO
@given(valid_ibans(), words, words)
def test_property_valid_iban_is_removed(iban, before, after):
    assert scrub_mod.iban_is_valid(iban)
    out, report = scrub_with_report(f"{before} {iban} {after}")
    assert iban not in out
    assert report["iban"] >= 1


# --------------------------------------------------------------------------
# issue 14: forms the scrubber used to miss (each of these failed before)
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # postcode with a labelled house number, either order
        ("postcode 1234AB huisnummer 12", f"postcode {ADRES}"),
        ("adres: 1234AB, nr 12", f"adres: {ADRES}"),
        ("1234 AB nr. 7b", ADRES),
        ("huisnummer 12, postcode 1234 AB", ADRES),
        ("postcode 1234AB", f"postcode {ADRES}"),
        ("الرمز البريدي ١٢٣٤AB رقم المنزل ١٢", f"الرمز البريدي {ADRES}"),
        ("کد پستی 1234AB پلاک 12", f"کد پستی {ADRES}"),
        ("posta kodu 1234 AB kapı no 12", f"posta kodu {ADRES}"),
        ("індекс 1234AB, буд. 12", f"індекс {ADRES}"),
        # a room number identifies a person in a reception centre
        ("AZC kamer 12", f"AZC {ADRES}"),
        ("kamer 12", ADRES),
        (
            "Ik woon in kamer 3b en de verwarming is kapot",
            f"Ik woon in {ADRES} en de verwarming is kapot",
        ),
        ("room 12", ADRES),
        ("I live in room number 214.", f"I live in {ADRES}."),
        ("أسكن في غرفة رقم ١٢", f"أسكن في {ADRES}"),
        ("من در اتاق ۱۲ زندگی می‌کنم", f"من در {ADRES} زندگی می‌کنم"),
        ("oda 12 çok soğuk", f"{ADRES} çok soğuk"),
        ("12 numaralı oda", ADRES),
        ("Я живу в кімнаті № 12", f"Я живу в {ADRES}"),
        ("ኣብ ክፍሊ 12 እነብር", f"ኣብ {ADRES} እነብር"),
        # obfuscated e-mail addresses
        ("fatima [at] gmail [dot] com", EMAIL),
        ("mail fatima at gmail dot com", f"mail {EMAIL}"),
        ("fatima(at)hotmail(dot)nl", EMAIL),
        ("fatima @ gmail . com", EMAIL),
        ("fatima＠gmail.com", EMAIL),
        ("fatima at gmail.com graag", f"{EMAIL} graag"),
        ("Email me at amir.r(at)ukr(dot)net please.", f"Email me at {EMAIL} please."),
        ("بريدي fatima ات gmail نقطة com", f"بريدي {EMAIL}"),
        ("ایمیل من zahra ات yahoo دات com", f"ایمیل من {EMAIL}"),
        ("пишіть olena собака ukr крапка net", f"пишіть {EMAIL}"),
        ("e-postam ayse at gmail nokta com", f"e-postam {EMAIL}"),
        # phone numbers
        ("6-1234-5678", PHONE),
        ("bel 6 12345678", f"bel {PHONE}"),
        ("06 - 12 34 56 78", PHONE),
        ("06—12345678", PHONE),
        ("0912 345 6789", PHONE),
        ("شماره من ۰۹۱۲ ۳۴۵ ۶۷۸۹", f"شماره من {PHONE}"),
        ("رقمي ٦-١٢٣٤-٥٦٧٨", f"رقمي {PHONE}"),
    ],
)
def test_issue14_structured_forms(text, expected):
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Groeten, Fatima Ahmadi", f"Groeten, {NAAM}"),
        ("mijn moeder Amina Yusuf is ziek", f"mijn moeder {NAAM} is ziek"),
        ("I'm Yonas Tesfaye", f"I'm {NAAM}"),
        ("Met vriendelijke groet,\nSenait Haile", f"Met vriendelijke groet,\n{NAAM}"),
        ("Gisteren heeft Fatima Ahmadi mij geholpen.", f"Gisteren heeft {NAAM} mij geholpen."),
        ("my brother Ahmed is still in Libya", f"my brother {NAAM} is still in Libya"),
        ("mijn broer ahmed wacht nog", f"mijn broer {NAAM} wacht nog"),
        ("Groeten, Tedla Gebru", f"Groeten, {NAAM}"),  # in no list: the sign-off vouches
        ("مع تحياتي، فاطمة أحمد", f"مع تحياتي، {NAAM}"),
        ("أخي أحمد علي مريض", f"أخي {NAAM} مريض"),
        ("فاطمة أحمد من سوريا", f"{NAAM} من سوريا"),
        ("برادرم علی احمدی مریض است", f"برادرم {NAAM} مریض است"),
        ("با احترام، زهرا رضایی", f"با احترام، {NAAM}"),
        ("annem Ayşe Demir hasta", f"annem {NAAM} hasta"),
        ("Saygılarımla, Mehmet Yılmaz", f"Saygılarımla, {NAAM}"),
        ("моя мама Олена Коваленко хворіє", f"моя мама {NAAM} хворіє"),
        ("З повагою, Тарас", f"З повагою, {NAAM}"),
        ("ሓወይ ዮናስ ተስፋይ ሓሚሙ ኣሎ", f"ሓወይ {NAAM} ሓሚሙ ኣሎ"),
        ("ምስ ሰላምታ፣ ሰናይት", f"ምስ ሰላምታ፣ {NAAM}"),
        ("Met vriendelijke groet,\nXyla Quorn", f"Met vriendelijke groet,\n{NAAM}"),  # signature
        ("Thanks, Burak Şahin", f"Thanks, {NAAM}"),
        # a name that is also a word is taken with context only
        ("mijn dochter Amal is ziek", f"mijn dochter {NAAM} is ziek"),
        ("أختي نور مريضة", f"أختي {NAAM} مريضة"),
        ("مع تحياتي، نور من زفولة", f"مع تحياتي، {NAAM} من زفولة"),
    ],
)
def test_issue14_names_without_lead_in(text, expected):
    check(text, expected)


@pytest.mark.parametrize(
    "text",
    [
        "Er is weinig hoop op een eigen huis.",
        "Hoop doet leven.",
        "Amal means hope in Arabic.",
        "Iman is important to us.",
        "عندي أمل كبير في المستقبل",
        "نور الشمس لا يدخل الغرفة",
        "أنا سعيد هنا",
        "امید داریم خانه بگیریم",
        "Umut ediyorum ki ev bulurum.",
        "Надія є, але житла немає.",
        "ሰላም ንኹልኹም",
        "Wil je de kachel maken?",
        "Can we cook ourselves?",
        "Thanks, Great job with the lessons.",
        "I am Syrian and I live here.",
        "Ben Suriye'den geldim.",
        "In May we move, like Jordan and Syria did.",
        "Mijn moeder is ziek.",
        "De Tweede Kamer moet dit weten.",
        "kamer 12 m2 voor 4 mensen",
        "we slapen met 6 mensen op 1 kamer",
        "look at home dot now",
        "meet me at gmail.com headquarters",
        "Groeten uit Zwolle!",
        "Groeten, allemaal",
        "Regards, the staff",
    ],
)
def test_issue14_ordinary_words_are_not_eaten(text):
    check(text, text)


def test_name_lists_are_shipped_with_their_licence():
    data = Path(scrub_mod.__file__).parent / "data"
    for name in ("given-names.txt", "family-names.txt", "given-names.README.md"):
        assert (data / name).is_file()
    licence = (data / "given-names.LICENSE").read_text(encoding="utf-8")
    assert "MIT" in licence and "CC0" in licence and "CC BY-SA" in licence
    assert "Permission is hereby granted" in (data / "faker.LICENSE").read_text(encoding="utf-8")
    # names that are ordinary words carry the mark that makes them need context
    for word in ("hoop", "amal", "noor", "iman", "أمل", "نور", "سلام", "ሰላም"):
        assert scrub_mod._GIVEN.get(word) is True, word
    for name in ("fatima", "yonas", "فاطمة", "ዮናስ", "олена", "ayşe"):
        assert scrub_mod._GIVEN.get(name) is False, name


# --------------------------------------------------------------------------
# the labelled set (benchmarks/data): recall and clean words eaten
# --------------------------------------------------------------------------
def _bench():
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "scrub.py"
    spec = importlib.util.spec_from_file_location("bench_scrub", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["dev", "holdout"])
def test_labelled_set_meets_the_goals(name):
    bench = _bench()
    cases = bench.load(f"scrub-{name}")
    assert sum(len(c["pii"]) for c in cases) >= 150
    assert {c["lang"] for c in cases} == {"nl", "en", "ar", "fa", "ti", "tr", "uk"}
    result = bench.evaluate(scrub, cases)
    assert result["structured_recall"] >= bench.GOALS["structured_recall"], result["misses"]
    assert result["recall"]["name"] >= bench.GOALS["name_recall"], result["misses"]
    assert result["recall"]["room"] >= 0.95, result["misses"]
    assert result["clean_eaten"] <= bench.GOALS["clean_eaten"], result["false_positives"]


def test_unseen_set_keeps_structured_recall_and_eats_nothing():
    """holdout2 was not used while tuning: structured goals hold; names reach 0.88, not 0.9.

    The misses are names in no shipped list, mostly Tigrinya in Ge'ez script, which has no
    capitals to tell a name from a word (see benchmarks/results/scrub.md).
    """
    bench = _bench()
    result = bench.evaluate(scrub, bench.load("scrub-holdout2"))
    assert result["structured_recall"] >= bench.GOALS["structured_recall"], result["misses"]
    assert result["recall"]["room"] >= 0.95, result["misses"]
    assert result["recall"]["name"] >= 0.85, result["misses"]
    assert result["clean_eaten"] <= bench.GOALS["clean_eaten"], result["false_positives"]


def test_demo_texts_lose_no_word():
    bench = _bench()
    negatives = bench.load("scrub-negatives")
    assert len(negatives) >= 500
    result = bench.evaluate(scrub, negatives)
    assert result["clean_eaten"] <= bench.GOALS["clean_eaten"], result["false_positives"]


def test_evaluation_counts_a_leak():
    """The set's scoring itself: a scrubber that does nothing finds nothing."""
    bench = _bench()
    cases = bench.load("scrub-dev")[:40]
    result = bench.evaluate(lambda text, lang=None: text, cases)
    assert all(r in (0.0, None) for r in result["recall"].values())
    assert result["clean_eaten"] == 0.0


# -- Eritrean and Ethiopian names (given-names-ethiopic.txt) and Ge'ez homophones ------------------
def test_geez_homophones_fold_alike():
    from klankbord.analysis.scrub import fold_name

    assert fold_name("ሐጎስ") == fold_name("ሀጎስ") == fold_name("ኀጎስ")  # Hagos, three spellings
    assert fold_name("ኣማኑኤል") == fold_name("አማኑኤል")  # Tigrinya and Amharic "A"
    assert fold_name("ተኽለ") == fold_name("ተክለ")  # Tigrinya kh and Amharic k
    assert fold_name("ሰላም") != fold_name("ሳላም")  # other vowels stay apart


@pytest.mark.parametrize(
    "text, expected",
    [
        # listed only in the Ethiopic list, with a family word before them
        ("ጓለይ ፍሬወይኒ ናብ ቤት ትምህርቲ ትኸይድ", f"ጓለይ {NAAM} ናብ ቤት ትምህርቲ ትኸይድ"),
        # the Amharic spelling of a Tigrinya name: the homophones fold
        ("ሓፍተይ ሐረገወይን ሓሚማ ኣላ", f"ሓፍተይ {NAAM} ሓሚማ ኣላ"),
        # a Latin transcription typed in a Dutch sentence, with a family name after it
        ("Gisteren heeft Mulugeta Tesfaye mij geholpen", f"Gisteren heeft {NAAM} mij geholpen"),
    ],
)
def test_ethiopic_names_removed(text, expected):
    assert scrub(text, lang="ti" if text[0] > "\u1200" else "nl") == expected


@pytest.mark.parametrize(
    "text",
    [
        "ኣደይ ሕማም ኣለዋ",  # "my mother is ill": the family word is also the name Adey
        "ሎሚ ምግቢ ክንሰርሕ ኣይከኣልናን",  # "today we could not cook": ሎሚ is also a name
        "ሰላም ንኹልኹም",  # "peace to you all"
    ],
)
def test_ethiopic_ordinary_words_stay(text):
    assert scrub(text, lang="ti") == text


def test_ordinary_word_after_a_geez_name_is_not_taken_as_its_family_name():
    # "my wife Helen needs a doctor": ሓኪም (doctor) is also the name Hakim
    assert scrub("ሰበይተይ ሄለን ሓኪም የድልያ", lang="ti") == f"ሰበይተይ {NAAM} ሓኪም የድልያ"


# -- names without a lead-in: roles, titles, "and", kunya, case endings (holdout3 categories) -----
@pytest.mark.parametrize(
    "text, lang, expected",
    [
        ("Dokter de Vries zei dat ik moet rusten", "nl", f"Dokter {NAAM} zei dat ik moet rusten"),
        ("Mrs. Jansen from the school called me", "en", f"Mrs. {NAAM} from the school called me"),
        (
            "Bahar Hanım dil kursunda yardım ediyor",
            "tr",
            f"{NAAM} Hanım dil kursunda yardım ediyor",
        ),
        ("Ali and Hassan clean the kitchen", "en", f"{NAAM} and {NAAM} clean the kitchen"),
        ("جاري أبو خالد يساعدنا", "ar", f"جاري {NAAM} يساعدنا"),
        ("اسمي أحمد الحسن وأنا من حلب", "ar", f"اسمي {NAAM} وأنا من حلب"),
        (
            "مادرم شکریه نمی‌تواند از پله‌ها بالا برود",
            "fa",
            f"مادرم {NAAM} نمی‌تواند از پله‌ها بالا برود",
        ),
        (
            "Передайте Миколі, що автобус о дев'ятій",
            "uk",
            f"Передайте {NAAM}, що автобус о дев'ятій",
        ),
        ("ik ben fatima, ik kom uit syrie", "nl", f"ik ben {NAAM}, ik kom uit syrie"),
        ("ana ismi yousef w ana min ghaza", "ar", f"ana ismi {NAAM} w ana min ghaza"),
    ],
)
def test_names_by_role_title_and_conjunction(text, lang, expected):
    assert scrub(text, lang=lang) == expected


@pytest.mark.parametrize(
    "text, lang",
    [
        ("مادرم مریض است و دکتر نمی‌آید", "fa"),  # "my mother is ill": a common word after it
        ("أمي مريضة ولا يوجد طبيب", "ar"),
        ("ኣደይ ሓሚማ ኣላ", "ti"),
        ("Bij de Albert Heijn is alles duur", "nl"),  # a shop, not a person
        ("Teyzem Almanya'da yaşıyor", "tr"),  # a place with a suffix after a family word
    ],
)
def test_ordinary_words_after_family_and_role_words_stay(text, lang):
    assert scrub(text, lang=lang) == text
