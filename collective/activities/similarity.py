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
import functools
import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import mul

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


# Texts repeat the same words: each distinct word is normalised and cut into grams once.
@functools.lru_cache(maxsize=100_000)
def token(raw: str) -> str:
    """The stemmed form of a word as written, or "" for a stop word, a digit or a letter."""
    word = raw.lower()
    if word in STOP_WORDS or len(word) <= 1 or word.isdigit():
        return ""
    return stem(word)


@functools.lru_cache(maxsize=100_000)
def _grams(token: str, n: int = 3) -> tuple[str, ...]:
    padded = f" {token} "
    return tuple(padded[i : i + n] for i in range(len(padded) - n + 1))


def words(text: str) -> list[str]:
    return [t for t in map(token, WORD_RE.findall(text or "")) if t]


def char_grams(tokens: Iterable[str], n: int = 3) -> list[str]:
    grams: list[str] = []
    for token in tokens:
        grams.extend(_grams(token, n))
    return grams


def _tfidf(counts: list[Counter], n_docs: int) -> tuple[list[dict], Counter]:
    df: Counter = Counter()
    for c in counts:
        df.update(c.keys())
    idf = {term: math.log((1 + n_docs) / (1 + d)) + 1.0 for term, d in df.items()}
    log, vectors = math.log, []
    for c in counts:
        vec = {term: (1.0 + log(tf)) * idf[term] if tf > 1 else idf[term] for term, tf in c.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({t: v / norm for t, v in vec.items()})
    return vectors, df


def cosine(a: dict, b: dict) -> float:
    """Dot product of two normalised sparse vectors (dicts), in C-level loops."""
    if len(a) > len(b):
        a, b = b, a
    shared = a.keys() & b.keys()
    return sum(map(mul, map(a.__getitem__, shared), map(b.__getitem__, shared)))


def date_overlap(a: Doc, b: Doc) -> float:
    """Share of the shorter activity's time that the two have in common; 0.5 when unknown."""
    return _span_overlap(_span(a), _span(b))


def _span(doc: Doc) -> tuple[int, int] | None:
    return (doc.start.toordinal(), doc.end.toordinal()) if doc.start and doc.end else None


def _span_overlap(a: tuple[int, int] | None, b: tuple[int, int] | None) -> float:
    if a is None or b is None:
        return 0.5
    shared = min(a[1], b[1]) - max(a[0], b[0]) + 1
    if shared <= 0:
        return 0.0
    return min(1.0, shared / (min(a[1] - a[0], b[1] - b[0]) + 1))


def jaccard(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def fingerprint(first_text: str, second_text: str) -> str:
    """A hash of both texts (normalised), so a rewrite of either one changes it."""
    norm = " ".join(words(first_text)) + "\x00" + " ".join(words(second_text))
    return hashlib.sha256(norm.encode()).hexdigest()


def _informative_dots(word_vecs: list[dict], df: Counter, partner: list[int]) -> list[dict]:
    """Per activity i: {j > i of another partner: the part of their word cosine that comes
    from informative words}, accumulated word by word through an inverted index."""
    n = len(word_vecs)
    limit = max(2, int(MAX_DF_SHARE * n))
    postings: dict[str, list[int]] = defaultdict(list)
    for index, vec in enumerate(word_vecs):
        for term in vec:
            if df[term] <= limit:
                postings[term].append(index)
    rows: list[dict] = [{} for _ in range(n)]
    for term, docs_with in postings.items():
        m = len(docs_with)
        if m < 2:
            continue
        weights = [word_vecs[i][term] for i in docs_with]
        for x in range(m - 1):
            i, wi = docs_with[x], weights[x]
            pi, row = partner[i], rows[i]
            get = row.get
            for j, wj in zip(docs_with[x + 1 :], weights[x + 1 :], strict=True):
                if partner[j] != pi:
                    row[j] = get(j, 0.0) + wi * wj
    return rows


def _score(text: float, structure: float) -> float:
    return TEXT_WEIGHT * text + STRUCTURE_WEIGHT * structure * math.sqrt(max(text, 0.0))


def detect(
    docs: list[Doc],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Callable[[int, int], None] | None = None,
) -> list[Pair]:
    """Every pair of activities of different partners scoring at least `threshold`, best first.

    Exact, but cheap: the candidates come from the inverted index of informative words; the
    word cosine adds the few common words to what the index accumulated; and a pair whose
    score could not reach the threshold even if their letters were identical (character
    cosine 1) is dropped before its character cosine is computed.
    """
    n = len(docs)
    if n < 2:
        return []
    tokens = [words(d.text) for d in docs]
    word_vecs, df = _tfidf([Counter(t) for t in tokens], n)
    char_vecs, _ = _tfidf([Counter(char_grams(t)) for t in tokens], n)
    limit = max(2, int(MAX_DF_SHARE * n))
    common = [{t: w for t, w in vec.items() if df[t] > limit} for vec in word_vecs]
    partner = [d.partner_id for d in docs]
    rows = _informative_dots(word_vecs, df, partner)
    candidates = [
        (i, j, dot)
        for i, row in enumerate(rows)
        for j, dot in sorted(row.items())
        if dot >= MIN_INFORMATIVE
    ]
    spans = [_span(d) for d in docs]
    total = len(candidates)
    pairs = []
    for done, (i, j, informative) in enumerate(candidates, start=1):
        if progress and done % 5000 == 0:
            progress(done, total)
        a, b = docs[i], docs[j]
        w = informative + (cosine(common[i], common[j]) if common[i] and common[j] else 0.0)
        o = jaccard(a.outcomes, b.outcomes)
        d = _span_overlap(spans[i], spans[j])
        structure = OUTCOME_WEIGHT * o + DATE_WEIGHT * d
        if _score(WORD_WEIGHT * w + CHAR_WEIGHT, structure) < threshold:
            continue
        c = cosine(char_vecs[i], char_vecs[j])
        text = WORD_WEIGHT * w + CHAR_WEIGHT * c
        score = _score(text, structure)
        if score < threshold:
            continue
        first, second = (a, b) if a.id < b.id else (b, a)
        shared = sorted(
            word_vecs[i].keys() & word_vecs[j].keys(),
            key=lambda t: (-word_vecs[i][t] * word_vecs[j][t], t),
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
