"""Texts of the staff mails the jobs send, in the staff languages (nl, en).

Jobs run without a request, so there is no gettext locale to pick from; like the respondents'
UI chrome, these few texts live in a dict keyed by language. Placeholders use str.format.
"""

from __future__ import annotations

STAFF_MAIL_TEXT: dict[str, dict[str, str]] = {
    "survey_opened_subject": {
        "nl": "Enquête geopend: {survey}",
        "en": "Survey opened: {survey}",
    },
    "survey_opened_body": {
        "nl": "De enquête '{survey}' is geopend op {opens} en sluit op {closes} (UTC).\n"
        "Locaties: {locations}.\nReacties tot nu toe: {responses}.\n",
        "en": "The survey '{survey}' opened at {opens} and closes at {closes} (UTC).\n"
        "Locations: {locations}.\nResponses so far: {responses}.\n",
    },
    "survey_closing_subject": {
        "nl": "Enquête sluit binnenkort: {survey}",
        "en": "Survey closes soon: {survey}",
    },
    "survey_closing_body": {
        "nl": "De enquête '{survey}' sluit op {closes} (UTC).\nLocaties: {locations}.\n"
        "Reacties tot nu toe: {responses}.\n",
        "en": "The survey '{survey}' closes at {closes} (UTC).\nLocations: {locations}.\n"
        "Responses so far: {responses}.\n",
    },
    "survey_closed_subject": {
        "nl": "Enquête gesloten: {survey}",
        "en": "Survey closed: {survey}",
    },
    "survey_closed_body": {
        "nl": "De enquête '{survey}' is gesloten op {closes} (UTC).\nLocaties: {locations}.\n"
        "Aantal reacties: {responses}.\n",
        "en": "The survey '{survey}' closed at {closes} (UTC).\nLocations: {locations}.\n"
        "Number of responses: {responses}.\n",
    },
    "digest_subject": {
        "nl": "Klankbord: wat is er nieuw ({org}, week {week})",
        "en": "Klankbord: what is new ({org}, week {week})",
    },
    "digest_intro": {
        "nl": "Nieuw sinds {since} (UTC) bij {org}:\n",
        "en": "New since {since} (UTC) at {org}:\n",
    },
    "digest_scope": {
        "nl": "\n{scope}\n  nieuwe enquêtereacties: ongeveer {responses}\n"
        "  nieuwe inbreng uit bijeenkomsten: ongeveer {ideas}\n",
        "en": "\n{scope}\n  new survey responses: about {responses}\n"
        "  new meeting contributions: about {ideas}\n",
    },
    "digest_themes": {
        "nl": "  thema's ({when}): {themes}\n",
        "en": "  themes ({when}): {themes}\n",
    },
    "digest_no_themes": {
        "nl": "  nog geen thema's\n",
        "en": "  no themes yet\n",
    },
    "digest_deployments": {
        "nl": "\nNieuwe enquêtereacties per enquête (afgerond op vijftallen):\n",
        "en": "\nNew survey responses per survey (rounded down to fives):\n",
    },
    "digest_footer": {
        "nl": "\nU krijgt dit bericht als beleidsmaker in Klankbord. "
        "Antwoorden staan niet in deze mail; de cijfers van rapporten staan in hun releases.\n",
        "en": "\nYou receive this as a policymaker in Klankbord. "
        "No answers are included in this mail; report figures are in their releases.\n",
    },
}


def staff_text(key: str, lang: str, **values: object) -> str:
    texts = STAFF_MAIL_TEXT[key]
    return texts.get(lang, texts["nl"]).format(**values)
