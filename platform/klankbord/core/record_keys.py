"""Record keys for cell-key perturbation (see reports/ptable.py and docs/privacy.md).

Every counted record (a survey response, a meeting idea) gets one random key when it is stored.
Keys are never shown and never change; a released count's noise is a function of its records' keys.
"""

from __future__ import annotations

import secrets

#: Record keys and cell keys lie in [0, KEY_RANGE).
KEY_RANGE = 256


def random_record_key() -> int:
    """A fresh record key, uniform in [0, KEY_RANGE)."""
    return secrets.randbelow(KEY_RANGE)
