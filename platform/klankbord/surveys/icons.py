# ruff: noqa: E501  (SVG path data)
"""Pictograms for answers, drawn as tiny inline SVG (48x48, stroked with the text colour).

Inline, so a page only carries the few it shows (no sprite download), and they stay sharp and high-contrast
on any phone. Shapes with class ``f`` are filled. An unknown icon id draws nothing: the text label is always
there, the pictogram only helps.
"""

from __future__ import annotations

from markupsafe import Markup

_POT = '<path d="M12 24h24v10a6 6 0 0 1-6 6H18a6 6 0 0 1-6-6zM8 24h4M36 24h4"/>'
_QUESTION = (
    '<path d="M17 17a7 7 0 1 1 10 6c-2 1-3 3-3 5v2"/><circle class="f" cx="24" cy="37" r="2"/>'
)
_CHECK = '<path d="M10 25l9 9 19-20"/>'
_FACE = '<circle cx="24" cy="24" r="21"/><circle class="f" cx="17" cy="19" r="2.5"/><circle class="f" cx="31" cy="19" r="2.5"/>'
_MOON = '<path d="M30 7a16 16 0 1 0 11 24A13 13 0 0 1 30 7z"/>'

ICONS: dict[str, str] = {
    "face_very_unhappy": _FACE + '<path d="M14 36q10-10 20 0"/>',
    "face_unhappy": _FACE + '<path d="M16 34q8-5 16 0"/>',
    "face_neutral": _FACE + '<path d="M16 32h16"/>',
    "face_happy": _FACE + '<path d="M16 30q8 5 16 0"/>',
    "face_very_happy": _FACE + '<path d="M13 28q11 12 22 0z"/>',
    "answer_yes": _CHECK,
    "answer_no": '<path d="M13 13l22 22M35 13L13 35"/>',
    "answer_dont_know": _QUESTION,
    "question": _QUESTION,
    "check": _CHECK,
    "kitchen_own": _POT + '<path d="M19 18c-2-3 2-5 0-8M29 18c-2-3 2-5 0-8"/>',
    "kitchen_shared": _POT + '<circle cx="16" cy="11" r="4"/><circle cx="32" cy="11" r="4"/>',
    "kitchen_none": _POT + '<path d="M6 6l36 36"/>',
    "pots": '<path d="M4 22h18v10a5 5 0 0 1-5 5H9a5 5 0 0 1-5-5zM26 18h18v14a5 5 0 0 1-5 5h-8a5 5 0 0 1-5-5z"/>',
    "fridge": '<rect x="13" y="5" width="22" height="38" rx="3"/><path d="M13 19h22M18 11v4M18 24v6"/>',
    "food_special": '<path d="M24 14c-8-4-16 2-14 12s8 16 14 12c6 4 12-2 14-12s-6-16-14-12zM24 14c0-4 2-7 6-8"/>',
    "money": '<rect x="5" y="13" width="38" height="22" rx="3"/><circle cx="24" cy="24" r="5"/>',
    "clock": '<circle cx="24" cy="24" r="19"/><path d="M24 13v11l8 5"/>',
    "hourglass": '<path d="M14 6h20M14 42h20M16 6c0 10 16 12 16 18s-16 8-16 18M32 6c0 10-16 12-16 18s16 8 16 18"/>',
    "calendar_weekend": '<rect x="6" y="10" width="36" height="32" rx="3"/><path d="M6 19h36M15 6v8M33 6v8"/>'
    '<rect class="f" x="28" y="27" width="8" height="8"/>',
    "time_morning": '<path d="M6 34h36M14 34a10 10 0 0 1 20 0M24 14v6M11 21l4 4M37 21l-4 4"/>',
    "time_afternoon": '<circle cx="24" cy="24" r="8"/><path d="M24 6v5M24 37v5M6 24h5M37 24h5M11 11l4 4M33 33l4 4'
    'M37 11l-4 4M15 33l-4 4"/>',
    "time_evening": _MOON + '<path d="M4 42h40"/>',
    "moon": _MOON,
    "light": '<path d="M18 32c0-6-6-8-6-15a12 12 0 0 1 24 0c0 7-6 9-6 15zM19 37h10M20 42h8"/>',
    "noise": '<path d="M8 19h7l9-8v26l-9-8H8zM31 17c3 4 3 10 0 14M36 12c6 7 6 17 0 24"/>',
    "thermometer": '<path d="M20 28V9a4 4 0 0 1 8 0v19a8 8 0 1 1-8 0z"/><circle class="f" cx="24" cy="34" r="4"/>',
    "shower": '<path d="M10 42V12a6 6 0 0 1 12 0v2M14 18h16l-8-6M18 24v3M24 24v3M30 24v3M21 31v3M27 31v3"/>',
    "bed": '<path d="M5 38V12M5 30h38v8M43 30v-6a4 4 0 0 0-4-4H20v10"/><circle cx="12" cy="23" r="4"/>',
    "house": '<path d="M6 22L24 7l18 15M11 18v23h26V18M20 41V29h8v12"/>',
    "hallway": '<path d="M6 42h36M10 42V10h28v32M16 42V20h6v22M26 42V20h6v22"/>',
    "outside": '<path d="M24 42V28M24 33l-6-5M24 30l6-5"/><circle cx="24" cy="17" r="11"/><path d="M4 42h40"/>',
    "bus": '<rect x="8" y="6" width="32" height="30" rx="4"/><path d="M8 22h32M14 36v6M34 36v6"/>'
    '<circle class="f" cx="15" cy="29" r="2"/><circle class="f" cx="33" cy="29" r="2"/>',
    "shop": '<path d="M6 18l4-10h28l4 10zM10 22v20h28V22M20 42V31h8v11"/>',
    "school": '<path d="M24 12c-5-4-12-4-18-2v28c6-2 13-2 18 2 5-4 12-4 18-2V10c-6-2-13-2-18 2zM24 12v28"/>',
    "child": '<circle cx="24" cy="14" r="6"/><path d="M16 42l2-14h12l2 14M18 28l-6 4M30 28l6 4"/>',
    "person_one": '<circle cx="24" cy="12" r="7"/><path d="M10 42c0-10 6-16 14-16s14 6 14 16"/>',
    "people_many": '<circle cx="24" cy="12" r="5"/><circle cx="11" cy="17" r="4"/><circle cx="37" cy="17" r="4"/>'
    '<path d="M15 40c0-8 4-13 9-13s9 5 9 13M3 38c0-6 3-10 8-10M45 38c0-6-3-10-8-10"/>',
    "family": '<circle cx="17" cy="11" r="5"/><circle cx="33" cy="21" r="4"/>'
    '<path d="M7 42c0-10 4-16 10-16s10 6 10 16M26 42c0-7 3-12 7-12s7 5 7 12"/>',
    "woman": '<circle cx="24" cy="11" r="6"/><path d="M24 19l-10 17h20zM20 36v6M28 36v6"/>',
    "people_talking": '<path d="M6 8h22v14H16l-6 5v-5H6zM20 26h22v12h-4v5l-6-5H20z"/>',
    "hand_raised": '<path d="M16 42c-4-4-8-10-8-14l2-2 6 6V10a3 3 0 0 1 6 0v12V7a3 3 0 0 1 6 0v15V9a3 3 0 0 1 6 0'
    'v16-9a3 3 0 0 1 6 0v14c0 8-4 12-8 12z"/>',
    "thought": '<path d="M12 30a10 10 0 0 1 4-19 10 10 0 0 1 18 2 8 8 0 0 1 2 16z"/><circle cx="12" cy="37" r="3"/>'
    '<circle cx="7" cy="43" r="2"/>',
    "volunteer": '<path d="M24 38S7 28 7 17a8.5 8.5 0 0 1 17-2 8.5 8.5 0 0 1 17 2c0 11-17 21-17 21z"/>',
    "health": '<path d="M19 6h10v13h13v10H29v13H19V29H6V19h13z"/>',
    "work": '<rect x="5" y="14" width="38" height="26" rx="3"/><path d="M17 14V9h14v5M5 25h38"/>',
    "sport": '<circle cx="24" cy="24" r="18"/><path d="M6 24h36M24 6c-8 10-8 26 0 36M24 6c8 10 8 26 0 36"/>',
    "art": '<path d="M24 6a18 18 0 0 0 0 36c3 0 4-3 2-5s0-6 4-6h6c4 0 6-3 6-7C42 14 34 6 24 6z"/>'
    '<circle class="f" cx="15" cy="22" r="2.5"/><circle class="f" cx="21" cy="14" r="2.5"/>'
    '<circle class="f" cx="31" cy="15" r="2.5"/>',
    "frequency_never": '<circle cx="24" cy="24" r="18"/><path d="M11 37L37 11"/>',
    "frequency_sometimes": '<circle cx="24" cy="24" r="18"/><path class="f" d="M24 6a18 18 0 0 1 0 36z"/>',
    "frequency_often": '<circle class="f" cx="24" cy="24" r="18"/>',
    "move_once": '<path d="M8 24h30M30 16l8 8-8 8"/>',
    "move_few": '<path d="M8 16h28M30 10l6 6-6 6M8 32h28M30 26l6 6-6 6"/>',
    "move_many": '<path d="M8 10h28M31 5l5 5-5 5M8 24h28M31 19l5 5-5 5M8 38h28M31 33l5 5-5 5"/>',
}


def icon(name: str | None, css_class: str = "ico") -> Markup:
    """Return the inline SVG for pictogram ``name`` (decorative: the label says the same)."""
    body = ICONS.get(name or "")
    if not body:
        return Markup("")
    return Markup(
        f'<svg class="{css_class} i-{name}" viewBox="0 0 48 48" aria-hidden="true" focusable="false">{body}</svg>'
    )
