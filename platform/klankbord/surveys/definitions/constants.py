"""Languages, question types, generated scale and yes/no options, and the fields a file may use."""

from __future__ import annotations

import re

from klankbord.core.languages import LANGUAGES

#: Language codes a survey may offer, in the order staff pages list them.
ALL_LANGUAGES: tuple[str, ...] = LANGUAGES

#: Question types, and which ones have options a ``show_if`` can refer to.
QUESTION_TYPES: tuple[str, ...] = (
    "single_choice",
    "multiple_choice",
    "scale",
    "yes_no",
    "number",
    "free_text",
)
CHOICE_TYPES = frozenset({"single_choice", "multiple_choice", "scale", "yes_no"})

#: Default and ceiling for the length of a free-text answer, in characters.
DEFAULT_MAX_LENGTH = 1000
MAX_MAX_LENGTH = 10_000

#: Largest YAML file accepted; a survey of 12 questions in 7 languages is ~60 kB.
MAX_FILE_BYTES = 1_000_000

#: Recording formats that phones play without a plugin.
AUDIO_EXTENSIONS: tuple[str, ...] = (".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".webm")

#: Scale values with the pictogram id of the face shown for each (1 = worst).
SCALE_FACES: tuple[tuple[str, str], ...] = (
    ("1", "face_very_unhappy"),
    ("2", "face_unhappy"),
    ("3", "face_neutral"),
    ("4", "face_happy"),
    ("5", "face_very_happy"),
)

SCALE_LABELS: dict[str, dict[str, str]] = {
    "1": {
        "nl": "Heel slecht",
        "en": "Very bad",
        "ar": "سيئ جدًا",
        "ti": "ብጣዕሚ ሕማቕ",
        "fa": "خیلی بد",
        "tr": "Çok kötü",
        "uk": "Дуже погано",
    },
    "2": {
        "nl": "Slecht",
        "en": "Bad",
        "ar": "سيئ",
        "ti": "ሕማቕ",
        "fa": "بد",
        "tr": "Kötü",
        "uk": "Погано",
    },
    "3": {
        "nl": "Gaat wel",
        "en": "Okay",
        "ar": "مقبول",
        "ti": "ማእከላይ",
        "fa": "متوسط",
        "tr": "İdare eder",
        "uk": "Нормально",
    },
    "4": {
        "nl": "Goed",
        "en": "Good",
        "ar": "جيد",
        "ti": "ጽቡቕ",
        "fa": "خوب",
        "tr": "İyi",
        "uk": "Добре",
    },
    "5": {
        "nl": "Heel goed",
        "en": "Very good",
        "ar": "جيد جدًا",
        "ti": "ብጣዕሚ ጽቡቕ",
        "fa": "خیلی خوب",
        "tr": "Çok iyi",
        "uk": "Дуже добре",
    },
}

#: Values of a ``yes_no`` question with their pictogram ids and texts.
YES_NO_OPTIONS: tuple[tuple[str, str, dict[str, str]], ...] = (
    (
        "yes",
        "answer_yes",
        {"nl": "Ja", "en": "Yes", "ar": "نعم", "ti": "እወ", "fa": "بله", "tr": "Evet", "uk": "Так"},
    ),
    (
        "no",
        "answer_no",
        {"nl": "Nee", "en": "No", "ar": "لا", "ti": "ኣይፋል", "fa": "نه", "tr": "Hayır", "uk": "Ні"},
    ),
    (
        "dont_know",
        "answer_dont_know",
        {
            "nl": "Weet ik niet",
            "en": "I don't know",
            "ar": "لا أعرف",
            "ti": "ኣይፈልጥን",
            "fa": "نمی‌دانم",
            "tr": "Bilmiyorum",
            "uk": "Не знаю",
        },
    ),
)

_SLUG = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_VALUE = re.compile(r"^[a-z0-9][a-z0-9_]{0,63}$")

_TOP_FIELDS = {
    "id": True,
    "version": True,
    "languages": True,
    "default_language": False,
    "title": True,
    "intro": True,
    "thanks": True,
    "what_happens_next": True,
    "questions": True,
}
_QUESTION_COMMON = {"id", "type", "text", "help", "required", "show_if", "sensitive_note", "audio"}
_QUESTION_EXTRA = {
    "single_choice": {"options"},
    "multiple_choice": {"options"},
    "scale": {"options"},
    "yes_no": {"options"},
    "number": {"min_value", "max_value"},
    "free_text": {"max_length"},
}
_ALL_QUESTION_FIELDS = _QUESTION_COMMON.union(*_QUESTION_EXTRA.values())
_OPTION_FIELDS = {"value", "text", "icon", "audio"}
_LANGUAGE_FIELDS = {"code", "reviewed"}
_SHOW_IF_FIELDS = {"question", "equals", "any_of"}
