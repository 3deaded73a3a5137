"""Company names reduced to a comparable stem.

Sources name one company differently: "Alphabet Inc. Class C Capital Stock" (Nasdaq screener), "Alphabet Inc."
(SEC), "ALPHABET INC CLASS A" (iShares), "Gap Inc. (The)" vs "GAP INC". The stem drops share-class and security
words, legal forms and punctuation, so share classes of one company and one company across sources compare equal,
while tracking-stock groups ("... Series A Liberty Formula One" vs "... Series A Liberty Live") stay apart.
"""

from __future__ import annotations

import re

_SECURITY_WORDS = re.compile(
    r"\b(common\s+)?shares? of beneficial interest\b"
    r"|\b(class|cl|series|ser)\s+[a-z](-?\d)?\b"
    r"|\b(common|capital|ordinary|subordinate|subordinated|restricted|limited|multiple|non[- ]?voting|voting)"
    r"(\s+voting)?\s+(stock|shares?)\b"
    r"|\bnon[- ]?voting\b|\bnew york registry shares\b"
    r"|\bamerican depositary shares?\b|\bamerican depository shares?\b|\bads\b|\b(no )?par value( per share)?\b"
    r"|\b(common|ordinary)\b"
)
_LEGAL_FORMS = re.compile(
    r"\b(the|inc|incorporated|corp|corporation|co|company|ltd|limited|plc|n ?v|s ?a|ag|se|l ?p|llc|sa|nv)\b"
)
_SLASHED = re.compile(r"/[a-z]+/")  # SEC's "/NEW/", "/DE/"


def name_stem(name: str | None) -> str:
    """Lower-case words of ``name`` without class, security and legal-form words; '' for no name."""
    if not name:
        return ""
    text = _SLASHED.sub(" ", name.lower()).replace("&", " and ")
    text = re.sub(r"['’]", "", text)
    text = re.sub(r"[().,\"]", " ", text)
    text = _SECURITY_WORDS.sub(" ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = _LEGAL_FORMS.sub(" ", text)
    return " ".join(text.split())


def first_word(name: str | None) -> str:
    """The first word of the stem: enough to tell two companies under one reused ticker apart."""
    stem = name_stem(name)
    return stem.split(" ", 1)[0] if stem else ""
