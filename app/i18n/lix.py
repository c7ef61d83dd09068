"""LIX (läsbarhetsindex): words per sentence plus the percentage of words longer than six letters.

Björnsson's measure for Swedish: below 30 is very easy text (children's books, easy-to-read news),
30-40 easy, 40-50 medium (newspapers), above 50 hard.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?:]+")


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def sentence_count(text: str) -> int:
    """Sentences end at . ! ? or : (Björnsson also counts the colon); at least one if any words."""
    ends = len(_SENTENCE_END.findall(text.strip().rstrip(".!?:") + "."))
    return max(ends, 1) if words(text) else 0


def lix(text: str) -> float:
    """LIX of a text; 0 for a text without words."""
    found = words(text)
    if not found:
        return 0.0
    long_words = sum(1 for word in found if len(word.replace("-", "")) > 6)
    return len(found) / sentence_count(text) + 100 * long_words / len(found)
