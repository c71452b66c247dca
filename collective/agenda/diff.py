"""Differences between two agenda versions, as pure functions over plain data.

A version is reduced to an `AgendaSnapshot` (its texts and its outcome nodes keyed by the
outcome's stable uid); `diff_snapshots(a, b)` says what changed and `apply_diff(a, d)` replays
it, so `apply_diff(a, diff_snapshots(a, b)) == b` (property-tested). `word_diff` gives the
word-level changes of one text; `html_word_diff` does the same for two HTML fragments (rendered
Markdown), comparing the words people read rather than the Markdown source.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace

TEXT_FIELDS = ("problem_statement", "vision", "principles")
TEXT_LABELS = {
    "problem_statement": "Problem statement",
    "vision": "Vision",
    "principles": "Guiding principles",
}


@dataclass(frozen=True)
class NodeData:
    statement: str
    parent: str | None = None  # uid of the parent outcome, None at the top
    kind: str = "outcome"
    horizon: str = "medium"
    lead: str | None = None  # partner name
    co: frozenset[str] = frozenset()
    order: int = 0
    description: str = ""


@dataclass(frozen=True)
class AgendaSnapshot:
    texts: dict[str, str] = field(default_factory=dict)
    nodes: dict[str, NodeData] = field(default_factory=dict)


@dataclass(frozen=True)
class OutcomeChange:
    uid: str
    before: NodeData
    after: NodeData

    @property
    def reworded(self) -> bool:
        return self.before.statement != self.after.statement

    @property
    def moved(self) -> bool:
        return self.before.parent != self.after.parent

    @property
    def reordered(self) -> bool:
        return self.before.order != self.after.order and not self.moved

    @property
    def changed_fields(self) -> list[str]:
        names = []
        if self.before.horizon != self.after.horizon:
            names.append("horizon")
        if self.before.lead != self.after.lead:
            names.append("lead partner")
        if self.before.co != self.after.co:
            names.append("co-owning partners")
        if self.before.description != self.after.description:
            names.append("description")
        if self.before.kind != self.after.kind:
            names.append("level in the tree")
        return names


@dataclass(frozen=True)
class VersionDiff:
    added: dict[str, NodeData] = field(default_factory=dict)
    removed: dict[str, NodeData] = field(default_factory=dict)
    changed: dict[str, OutcomeChange] = field(default_factory=dict)
    texts: dict[str, tuple[str, str]] = field(default_factory=dict)  # field -> (old, new)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.texts)

    @property
    def reworded(self) -> list[OutcomeChange]:
        return [c for c in self.changed.values() if c.reworded]

    @property
    def moved(self) -> list[OutcomeChange]:
        return [c for c in self.changed.values() if c.moved]


def diff_snapshots(a: AgendaSnapshot, b: AgendaSnapshot) -> VersionDiff:
    added = {uid: node for uid, node in b.nodes.items() if uid not in a.nodes}
    removed = {uid: node for uid, node in a.nodes.items() if uid not in b.nodes}
    changed = {
        uid: OutcomeChange(uid, a.nodes[uid], node)
        for uid, node in b.nodes.items()
        if uid in a.nodes and a.nodes[uid] != node
    }
    texts = {
        name: (a.texts.get(name, ""), b.texts.get(name, ""))
        for name in sorted(set(a.texts) | set(b.texts))
        if a.texts.get(name, "") != b.texts.get(name, "")
    }
    return VersionDiff(added=added, removed=removed, changed=changed, texts=texts)


def apply_diff(a: AgendaSnapshot, d: VersionDiff) -> AgendaSnapshot:
    nodes = {uid: node for uid, node in a.nodes.items() if uid not in d.removed}
    nodes.update(d.added)
    nodes.update({uid: change.after for uid, change in d.changed.items()})
    texts = dict(a.texts)
    for name, (_old, new) in d.texts.items():
        texts[name] = new
    return replace(a, texts=texts, nodes=nodes)


def tree_order(nodes: dict[str, NodeData]) -> list[tuple[str, int]]:
    """(uid, depth) depth-first, siblings by `order`; orphans (parent missing) sit at the top."""
    children: dict[str | None, list[str]] = {}
    for uid, node in nodes.items():
        parent = node.parent if node.parent in nodes else None
        children.setdefault(parent, []).append(uid)
    for siblings in children.values():
        siblings.sort(key=lambda uid: (nodes[uid].order, nodes[uid].statement, uid))
    result: list[tuple[str, int]] = []
    stack = [(uid, 0) for uid in reversed(children.get(None, []))]
    seen: set[str] = set()
    while stack:
        uid, depth = stack.pop()
        if uid in seen:
            continue
        seen.add(uid)
        result.append((uid, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(uid, [])))
    return result


_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class DiffPart:
    op: str  # "equal", "insert" or "delete"
    text: str


def word_diff(old: str, new: str) -> list[DiffPart]:
    """Word-level changes from `old` to `new` (whitespace kept, so the text reads naturally)."""
    a = _TOKENS.findall(old or "")
    b = _TOKENS.findall(new or "")
    parts: list[DiffPart] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(DiffPart("equal", "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            parts.append(DiffPart("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            parts.append(DiffPart("insert", "".join(b[j1:j2])))
    return parts


def replay_word_diff(parts: list[DiffPart]) -> tuple[str, str]:
    """(old, new) back from a word diff — the inverse used by the tests."""
    old = "".join(p.text for p in parts if p.op != "insert")
    new = "".join(p.text for p in parts if p.op != "delete")
    return old, new


_HTML_TOKENS = re.compile(r"<[^>]*>|\s+|[^<\s]+")


def html_word_diff(old_html: str, new_html: str) -> list[DiffPart]:
    """Word-level changes between two HTML fragments, with the new fragment's tags kept.

    Parts are "equal", "insert" and "delete" text, and "tag": the tags of `new_html`, in order.
    Joining every part but the deletions gives `new_html` back, and joining the equal and deleted
    text gives the words of `old_html`; deleted words sit where they were, between the new tags,
    so wrapping each text part in <ins> or <del> keeps the HTML well formed.
    """
    a = _HTML_TOKENS.findall(old_html or "")
    b = _HTML_TOKENS.findall(new_html or "")
    parts: list[DiffPart] = []

    def add(op: str, token: str) -> None:
        if token.startswith("<"):
            op = "tag"
        if parts and parts[-1].op == op and op != "tag":
            parts[-1] = DiffPart(op, parts[-1].text + token)
        else:
            parts.append(DiffPart(op, token))

    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for token in b[j1:j2]:
                add("equal", token)
            continue
        if tag in ("delete", "replace"):
            for token in a[i1:i2]:
                if not token.startswith("<"):  # the old fragment's tags are not kept
                    add("delete", token)
        if tag in ("insert", "replace"):
            for token in b[j1:j2]:
                add("insert", token)
    return parts
