"""Questions in plain language, answered from the lake (Marvis-style, fully offline).

``answer(question, lake=..., scope=..., now=...)`` runs a deterministic, inspectable pipeline:
normalise the text → link entities against the lake's own vocabulary (sites, devices, links,
ISPs, apps, clients; typos and abbreviations tolerated) → classify the intent by rules → read the
time range relative to ``now`` → execute read-API calls (``assurance.query``) → a short answer
with ranked causes, evidence, numbers, a dashboard link and the API call it stands for. An
ambiguous question gets clarifying ``choices``, never a guess. A ``Scoper`` limits everything
(vocabulary, choices, answers) to the sites a user may see. Must not write to the lake, build SQL
from question text, or use any hosted or downloaded model.
"""

from assurance.ask.pipeline import answer, understand
from assurance.ask.types import ENTITY_KINDS, INTENTS, Answer, AskError, Choice, TimeRange

__all__ = [
    "ENTITY_KINDS",
    "INTENTS",
    "Answer",
    "AskError",
    "Choice",
    "TimeRange",
    "answer",
    "understand",
]
