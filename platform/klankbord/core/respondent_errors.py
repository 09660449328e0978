# ruff: noqa: E501  (translation table: one sentence per line reads better than split strings)
"""Error pages for residents (/s/, /m/, /g/), in their own language, without gettext.

Residents answer in Tigrinya or Farsi long before staff catalogs exist, so the few words of an error
page live here, like ``surveys/ui_text.py``. Only nl and en were checked by a native speaker; the
other languages need a review before a real deployment.

When the database does not answer, the page carries every field of the posted form in hidden inputs
and a "Try again" button that posts them to the same address: the answers (and the respondent's
own form token) are not lost, and nothing was stored because the transaction was rolled back.
"""

from __future__ import annotations

from flask import current_app, g, render_template, request

from klankbord.core.i18n import text_direction
from klankbord.core.languages import LANGUAGES, text_in

#: Paths of pages for residents (no login): survey answering, live meeting input, group pages.
RESPONDENT_PREFIXES = ("/s/", "/m/", "/g/")
RESPONDENT_PATHS = frozenset({"/s", "/m", "/g"})

#: One sentence for "the form was wrong" (400) and "not this way" (405).
_GO_BACK = {
    "nl": "Ga terug en probeer het opnieuw.",
    "en": "Please go back and try again.",
    "ar": "ارجع وحاول مرة أخرى.",
    "ti": "ንድሕሪት ተመሊስኩም እንደገና ፈትኑ።",
    "fa": "برگردید و دوباره امتحان کنید.",
    "tr": "Geri dönüp tekrar deneyin.",
    "uk": "Поверніться і спробуйте ще раз.",
}

TEXTS: dict[str, dict[str, str]] = {
    "title_400": {
        "nl": "Er ging iets mis met het formulier",
        "en": "Something was wrong with the form",
        "ar": "حدث خطأ في النموذج",
        "ti": "ኣብቲ ፎርም ጌጋ ኣሎ",
        "fa": "مشکلی در فرم پیش آمد",
        "tr": "Formda bir sorun var",
        "uk": "З формою щось не так",
    },
    "text_400": _GO_BACK,
    "title_403": {
        "nl": "Dit mag niet",
        "en": "This is not allowed",
        "ar": "هذا غير مسموح",
        "ti": "እዚ ኣይፍቀድን እዩ",
        "fa": "این کار مجاز نیست",
        "tr": "Buna izin verilmiyor",
        "uk": "Це не дозволено",
    },
    "text_403": {
        "nl": "Open de link opnieuw vanaf de poster of de code.",
        "en": "Open the link again from the poster or the code.",
        "ar": "افتح الرابط مرة أخرى من الملصق أو الرمز.",
        "ti": "ነቲ ሊንክ ካብቲ ፖስተር ወይ ኮድ እንደገና ክፈቱ።",
        "fa": "لینک را دوباره از پوستر یا کد باز کنید.",
        "tr": "Bağlantıyı afişten veya koddan yeniden açın.",
        "uk": "Відкрийте посилання ще раз з плаката або коду.",
    },
    "title_404": {
        "nl": "Deze pagina bestaat niet",
        "en": "This page does not exist",
        "ar": "هذه الصفحة غير موجودة",
        "ti": "እዚ ገጽ የለን",
        "fa": "این صفحه وجود ندارد",
        "tr": "Bu sayfa yok",
        "uk": "Такої сторінки немає",
    },
    "text_404": {
        "nl": "Kijk of de code goed is en probeer het opnieuw.",
        "en": "Check the code and try again.",
        "ar": "تحقق من الرمز وحاول مرة أخرى.",
        "ti": "ነቲ ኮድ ተቖጻጸሩ እሞ እንደገና ፈትኑ።",
        "fa": "کد را بررسی کنید و دوباره امتحان کنید.",
        "tr": "Kodu kontrol edip tekrar deneyin.",
        "uk": "Перевірте код і спробуйте ще раз.",
    },
    "title_405": {
        "nl": "Dit kan hier niet",
        "en": "This is not possible here",
        "ar": "هذا غير ممكن هنا",
        "ti": "እዚ ኣብዚ ኣይከኣልን",
        "fa": "این کار اینجا ممکن نیست",
        "tr": "Bu burada yapılamaz",
        "uk": "Тут це неможливо",
    },
    "text_405": _GO_BACK,
    "title_413": {
        "nl": "Te veel tekst",
        "en": "Too much text",
        "ar": "النص طويل جدًا",
        "ti": "ብዙሕ ጽሑፍ",
        "fa": "متن بیش از حد است",
        "tr": "Çok fazla metin",
        "uk": "Забагато тексту",
    },
    "text_413": {
        "nl": "Wat u stuurde is te groot. Ga terug en maak het korter.",
        "en": "What you sent is too large. Go back and make it shorter.",
        "ar": "ما أرسلته كبير جدًا. ارجع واجعله أقصر.",
        "ti": "ዝሰደድኩምዎ ኣዝዩ ዓቢ እዩ። ንድሕሪት ተመሊስኩም ኣሕጽርዎ።",
        "fa": "آنچه فرستادید خیلی بزرگ است. برگردید و آن را کوتاه‌تر کنید.",
        "tr": "Gönderdiğiniz çok büyük. Geri dönüp kısaltın.",
        "uk": "Надіслане занадто велике. Поверніться і скоротіть.",
    },
    "title_429": {
        "nl": "Even wachten",
        "en": "Please wait a moment",
        "ar": "انتظر قليلًا",
        "ti": "ቁሩብ ተጸበዩ",
        "fa": "کمی صبر کنید",
        "tr": "Biraz bekleyin",
        "uk": "Зачекайте хвилинку",
    },
    "text_429": {
        "nl": "Er kwam veel tegelijk binnen. Wacht een minuut en probeer het opnieuw.",
        "en": "A lot arrived at once. Wait a minute and try again.",
        "ar": "وصل الكثير في وقت واحد. انتظر دقيقة وحاول مرة أخرى.",
        "ti": "ብሓንሳብ ብዙሕ መጺኡ። ሓንቲ ደቒቕ ተጸበዩ እሞ እንደገና ፈትኑ።",
        "fa": "پیام‌های زیادی با هم رسید. یک دقیقه صبر کنید و دوباره امتحان کنید.",
        "tr": "Aynı anda çok şey geldi. Bir dakika bekleyip tekrar deneyin.",
        "uk": "Надійшло забагато одночасно. Зачекайте хвилину і спробуйте ще раз.",
    },
    "title_500": {
        "nl": "Er ging iets mis",
        "en": "Something went wrong",
        "ar": "حدث خطأ ما",
        "ti": "ገለ ነገር ተጋግዩ",
        "fa": "مشکلی پیش آمد",
        "tr": "Bir şeyler ters gitti",
        "uk": "Щось пішло не так",
    },
    "text_500": {
        "nl": "Dit is onze fout. Probeer het later opnieuw.",
        "en": "This is our fault. Please try again later.",
        "ar": "هذا خطؤنا. حاول مرة أخرى لاحقًا.",
        "ti": "እዚ ናትና ጌጋ እዩ። ደሓር እንደገና ፈትኑ።",
        "fa": "این اشتباه ماست. بعدا دوباره امتحان کنید.",
        "tr": "Bu bizim hatamız. Lütfen daha sonra tekrar deneyin.",
        "uk": "Це наша помилка. Спробуйте пізніше.",
    },
    "title_503": {
        "nl": "Probeer het zo nog eens",
        "en": "Please try again in a moment",
        "ar": "حاول مرة أخرى بعد قليل",
        "ti": "ድሕሪ ቁሩብ እንደገና ፈትኑ",
        "fa": "کمی بعد دوباره امتحان کنید",
        "tr": "Birazdan tekrar deneyin",
        "uk": "Спробуйте ще раз за хвилинку",
    },
    "text_503": {
        "nl": "Het lukte nu niet om op te slaan. Er is niets bewaard.",
        "en": "We could not save just now. Nothing was stored.",
        "ar": "لم نتمكن من الحفظ الآن. لم يُحفظ شيء.",
        "ti": "ሕጂ ክንዕቅብ ኣይከኣልናን። ዝተዓቀበ ነገር የለን።",
        "fa": "الان نتوانستیم ذخیره کنیم. چیزی ذخیره نشد.",
        "tr": "Şu anda kaydedemedik. Hiçbir şey saklanmadı.",
        "uk": "Зараз не вдалося зберегти. Нічого не збережено.",
    },
    "answers_kept": {
        "nl": "Uw antwoorden staan nog in deze pagina. Druk over een minuut op Opnieuw proberen.",
        "en": "Your answers are still in this page. Press Try again in a minute.",
        "ar": "إجاباتك ما زالت في هذه الصفحة. اضغط حاول مرة أخرى بعد دقيقة.",
        "ti": "መልስኹም ገና ኣብዚ ገጽ ኣሎ። ድሕሪ ሓንቲ ደቒቕ እንደገና ፈትኑ ጠውቑ።",
        "fa": "پاسخ‌های شما هنوز در این صفحه است. یک دقیقه بعد روی دوباره امتحان کنید بزنید.",
        "tr": "Cevaplarınız hâlâ bu sayfada. Bir dakika sonra Tekrar dene'ye basın.",
        "uk": "Ваші відповіді ще на цій сторінці. За хвилину натисніть «Спробувати ще раз».",
    },
    "try_again": {
        "nl": "Opnieuw proberen",
        "en": "Try again",
        "ar": "حاول مرة أخرى",
        "ti": "እንደገና ፈትኑ",
        "fa": "دوباره امتحان کنید",
        "tr": "Tekrar dene",
        "uk": "Спробувати ще раз",
    },
}


def is_respondent_request() -> bool:
    """True for the pages residents use without an account."""
    path = request.path
    return path in RESPONDENT_PATHS or path.startswith(RESPONDENT_PREFIXES)


def respondent_language() -> str:
    """The resident's language: the one in the URL, the one a view chose, or the browser's."""
    lang = (request.view_args or {}).get("lang") or getattr(g, "respondent_locale", None)
    if lang in LANGUAGES:
        return lang
    lang = request.args.get("lang")
    if lang in LANGUAGES:
        return lang
    return request.accept_languages.best_match(LANGUAGES) or "nl"


def text(key: str, lang: str) -> str:
    """The text ``key`` in ``lang`` (fallback: ``core.languages``)."""
    return text_in(TEXTS[key], lang)


def _posted_fields() -> list[tuple[str, str]]:
    """The fields of the failed POST, to be posted again by the Try again button."""
    if request.method != "POST":
        return []
    try:
        return [(name, value) for name, value in request.form.items(multi=True)]
    except Exception:  # an unreadable body (too large, broken encoding): nothing to keep
        return []


def render(code: int, *, keep_form: bool = False):
    """Render the resident's error page for ``code``; with ``keep_form`` offer to post again."""
    code = code if f"title_{code}" in TEXTS else 500
    lang = respondent_language()
    g.respondent_locale = lang
    fields = _posted_fields() if keep_form else []
    html = render_template(
        "errors/respondent.html",
        code=code,
        lang=lang,
        dir=text_direction(lang),
        title=text(f"title_{code}", lang),
        text=text(f"text_{code}", lang),
        answers_kept=text("answers_kept", lang) if fields else None,
        try_again=text("try_again", lang),
        retry_fields=fields,
        retry_action=request.path,
        retry_link=request.full_path.rstrip("?") if keep_form and request.method == "GET" else None,
    )
    response = current_app.make_response((html, code))
    if code in (429, 503):
        response.headers["Retry-After"] = "30" if code == 429 else "5"
    return response
