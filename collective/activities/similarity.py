"""Overlap detection: pairs of activities of different partners that look alike.

Text similarity is TF-IDF cosine over words (light stemming, stop words dropped) and over
character 3-grams of the words (catches "onboard"/"onboarding", typos, compounds), combined
with structure: the outcomes both claim (Jaccard) and how much their dates overlap.

    text      = 0.6 · cos(words) + 0.4 · cos(char 3-grams)
    structure = 0.6 · jaccard(outcomes) + 0.4 · date overlap
    score     = 0.7 · text + 0.3 · structure · √text

Structure amplifies textual likeness but cannot make it: two different programmes for the same
outcome at the same time are complementary, not duplicates (hence the √text gate).

Only pairs that share at least one informative word (one that fewer than a quarter of the
activities use) are scored — an inverted index finds them, so all pairs of 1,000 activities
take well under a second. Pure functions over plain data; precision and recall are measured
on the labelled pairs in tests/overlap_pairs.py.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

DEFAULT_THRESHOLD = 0.45
WORD_WEIGHT, CHAR_WEIGHT = 0.6, 0.4
TEXT_WEIGHT, STRUCTURE_WEIGHT = 0.7, 0.3
OUTCOME_WEIGHT, DATE_WEIGHT = 0.6, 0.4
MAX_DF_SHARE = 0.25  # words used by more activities than this do not make candidates
# A pair is scored only when its informative words alone give this much word similarity: two
# activities that share one weak word are not compared letter by letter.
MIN_INFORMATIVE = 0.12

STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "per",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "new",
        "work",
        "working",
        "help",
        "helps",
        "make",
        "using",
        "use",
        "via",
        "across",
        "within",
        "without",
        "every",
        "each",
        "one",
        "two",
        "three",
    ]
)
WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass
class Doc:
    """What the detector needs of one activity."""

    id: int
    partner_id: int
    text: str
    outcomes: frozenset = frozenset()
    start: datetime.date | None = None
    end: datetime.date | None = None


@dataclass
class Pair:
    first: int
    second: int
    score: float
    text: float
    words: float
    chars: float
    outcomes: float
    dates: float
    shared_words: list[str] = field(default_factory=list)


def stem(word: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ed", "es", "s"):
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def words(text: str) -> list[str]:
    return [
        stem(w)
        for w in (m.group(0).lower() for m in WORD_RE.finditer(text or ""))
        if w not in STOP_WORDS and len(w) > 1 and not w.isdigit()
    ]


def char_grams(tokens: Iterable[str], n: int = 3) -> list[str]:
    grams = []
    for token in tokens:
        padded = f" {token} "
        grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


def _tfidf(counts: list[Counter], n_docs: int) -> tuple[list[dict], Counter]:
    df: Counter = Counter()
    for c in counts:
        df.update(c.keys())
    vectors = []
    for c in counts:
        vec = {
            term: (1.0 + math.log(tf)) * (math.log((1 + n_docs) / (1 + df[term])) + 1.0)
            for term, tf in c.items()
        }
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({t: v / norm for t, v in vec.items()})
    return vectors, df


def cosine(a: dict, b: dict) -> float:
    return sum(a[t] * b[t] for t in a.keys() & b.keys())


def date_overlap(a: Doc, b: Doc) -> float:
    """Share of the shorter activity's time that the two have in common; 0.5 when unknown."""
    if not (a.start and a.end and b.start and b.end):
        return 0.5
    shared = (min(a.end, b.end) - max(a.start, b.start)).days + 1
    if shared <= 0:
        return 0.0
    shorter = min((a.end - a.start).days, (b.end - b.start).days) + 1
    return min(1.0, shared / shorter)


def jaccard(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def fingerprint(first_text: str, second_text: str) -> str:
    """A hash of both texts (normalised), so a rewrite of either one changes it."""
    norm = " ".join(words(first_text)) + "\x00" + " ".join(words(second_text))
    return hashlib.sha256(norm.encode()).hexdigest()


def detect(
    docs: list[Doc],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Callable[[int, int], None] | None = None,
) -> list[Pair]:
    """Every pair of activities of different partners scoring at least `threshold`, best first."""
    n = len(docs)
    if n < 2:
        return []
    tokens = [words(d.text) for d in docs]
    word_vecs, df = _tfidf([Counter(t) for t in tokens], n)
    char_vecs, _ = _tfidf([Counter(char_grams(t)) for t in tokens], n)
    limit = max(2, int(MAX_DF_SHARE * n))
    postings: dict[str, list[int]] = defaultdict(list)
    for index, vec in enumerate(word_vecs):
        for term in vec:
            if df[term] <= limit:
                postings[term].append(index)
    # The candidates: pairs of different partners whose informative words alone are similar
    # enough (their part of the word cosine, accumulated term by term).
    dots: dict[tuple[int, int], float] = defaultdict(float)
    partner = [d.partner_id for d in docs]
    for term, docs_with in postings.items():
        if len(docs_with) < 2:
            continue
        weights = [word_vecs[i][term] for i in docs_with]
        for x, i in enumerate(docs_with):
            pi, wi = partner[i], weights[x]
            for y in range(x + 1, len(docs_with)):
                j = docs_with[y]
                if partner[j] != pi:
                    dots[(i, j)] += wi * weights[y]
    candidates = [pair for pair, dot in dots.items() if dot >= MIN_INFORMATIVE]
    total = len(candidates)
    pairs = []
    for done, (i, j) in enumerate(sorted(candidates), start=1):
        a, b = docs[i], docs[j]
        w = cosine(word_vecs[i], word_vecs[j])
        c = cosine(char_vecs[i], char_vecs[j])
        text = WORD_WEIGHT * w + CHAR_WEIGHT * c
        o = jaccard(a.outcomes, b.outcomes)
        d = date_overlap(a, b)
        structure = OUTCOME_WEIGHT * o + DATE_WEIGHT * d
        score = TEXT_WEIGHT * text + STRUCTURE_WEIGHT * structure * math.sqrt(max(text, 0.0))
        if progress and done % 5000 == 0:
            progress(done, total)
        if score < threshold:
            continue
        first, second = (a, b) if a.id < b.id else (b, a)
        shared = sorted(
            set(word_vecs[i]) & set(word_vecs[j]), key=lambda t: -word_vecs[i][t] * word_vecs[j][t]
        )[:5]
        pairs.append(
            Pair(
                first=first.id,
                second=second.id,
                score=round(score, 4),
                text=round(text, 4),
                words=round(w, 4),
                chars=round(c, 4),
                outcomes=round(o, 4),
                dates=round(d, 4),
                shared_words=shared,
            )
        )
    if progress:
        progress(total, total)
    pairs.sort(key=lambda p: (-p.score, p.first, p.second))
    return pairs
