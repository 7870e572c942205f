"""The assessment answers are health data, encrypted at rest with the project's field cipher (security D1).

The cipher binds a token to ``assessment_assessment|answers_enc|<public id>``, so a value copied to another
assessment fails to decrypt. Only the places that need the answers call ``open_answers``: the tablet form, the
detail API, partial saves and scoring on submit. Scores and levels stay in clear (statistics need them).
"""

from __future__ import annotations

import json
from typing import Any

from chuncheng.core.cipher import get_cipher

TABLE = "assessment_assessment"
COLUMN = "answers_enc"


def seal_answers(public_id: object, answers: dict[str, Any]) -> str:
    """The stored token for an answer set (empty for no answers)."""
    if not answers:
        return ""
    text = json.dumps(answers, ensure_ascii=False, sort_keys=True)
    return get_cipher().encrypt(text, table=TABLE, column=COLUMN, row=str(public_id))


def open_answers(assessment) -> dict[str, Any]:
    """The decrypted answers of an assessment (``{}`` when none were saved)."""
    token = assessment.answers_enc
    if not token:
        return {}
    return json.loads(get_cipher().decrypt(token, table=TABLE, column=COLUMN, row=str(assessment.public_id)))
