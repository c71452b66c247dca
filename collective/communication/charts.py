"""Charts of continuous communication: pulse-survey results as Vega-Lite specs, built with
shared measurement's chart theme (`base_spec`) so they look like every other chart and render
with the same script (`static/measurement/charts.js`, no inline script: the CSP holds).

Each chart is built only from what `selectors.survey_results` returns, after it applied the
anonymity thresholds: no chart exists while a survey has too few responses, and a partner group
hidden from the results is absent from the chart data too. Every chart comes with a one-line
description (its `description`, read by screen readers, and the caption) and the rows of the
table shown without JavaScript or by the toggle.
"""

from __future__ import annotations

from collective.core.numbers import format_value
from collective.measurement.charts import BRAND, base_spec

from .choices import QuestionKind

SCALE_LABELS = {1: "1 (low)", 2: "2", 3: "3", 4: "4", 5: "5 (high)"}
BAR_HEIGHT = 26


def _share(n: int, total: int) -> str:
    return format_value(100 * n / total, value_type="percent") if total else "—"


def _answers_chart(number: int, question, entry: dict) -> dict:
    total = sum(n for _label, n in entry["distribution"])
    rows = [
        {
            "answer": SCALE_LABELS.get(label, str(label))
            if question.kind == QuestionKind.SCALE
            else str(label),
            "responses": n,
            "share": _share(n, total),
        }
        for label, n in entry["distribution"]
    ]
    counts = "; ".join(f"{r['answer']}: {r['responses']}" for r in rows)
    average = (
        f" Average {format_value(entry['mean'], decimals=2)} of 5."
        if entry.get("mean") is not None
        else ""
    )
    description = f"Bar chart of the {total} answers to “{question.text}”. {counts}.{average}"
    spec = base_spec(
        title=f"{number}. {question.text}"[:120],
        subtitle=f"{total} answer{'s' if total != 1 else ''}",
        description=description,
    )
    spec.update(
        {
            "height": BAR_HEIGHT * len(rows),
            "data": {"values": rows},
            "mark": {"type": "bar", "color": BRAND, "tooltip": True},
            "encoding": {
                "y": {"field": "answer", "type": "ordinal", "sort": None, "title": None},
                "x": {
                    "field": "responses",
                    "type": "quantitative",
                    "title": "Responses",
                    "axis": {"tickMinStep": 1, "format": "d"},
                },
                "tooltip": [
                    {"field": "answer", "title": "Answer"},
                    {"field": "responses", "title": "Responses"},
                    {"field": "share", "title": "Share"},
                ],
            },
        }
    )
    return {
        "id": f"survey-q{question.pk}",
        "spec": spec,
        "description": description,
        "columns": ["Answer", "Responses", "Share"],
        "rows": [[r["answer"], r["responses"], r["share"]] for r in rows],
    }


def _groups_chart(number: int, question, entry: dict) -> dict | None:
    """The average per partner group of a scale question — the groups the results show only."""
    rows = [
        {"group": g["name"], "average": g["mean"], "responses": g["n"]}
        for g in entry["groups"]
        if g.get("mean") is not None
    ]
    if len(rows) < 2:
        return None
    averages = "; ".join(f"{r['group']}: {format_value(r['average'], decimals=2)}" for r in rows)
    description = f"Bar chart of the average answer to “{question.text}” by partner. {averages}."
    spec = base_spec(
        title=f"{number}. By partner",
        subtitle="Average of 5; groups too small to stay anonymous are left out",
        description=description,
    )
    spec.update(
        {
            "height": BAR_HEIGHT * len(rows),
            "data": {"values": rows},
            "mark": {"type": "bar", "color": BRAND, "tooltip": True},
            "encoding": {
                "y": {"field": "group", "type": "nominal", "sort": None, "title": None},
                "x": {
                    "field": "average",
                    "type": "quantitative",
                    "title": "Average (1–5)",
                    "scale": {"domain": [0, 5]},
                },
                "tooltip": [
                    {"field": "group", "title": "Partner"},
                    {"field": "average", "title": "Average", "format": ".2f"},
                    {"field": "responses", "title": "Responses"},
                ],
            },
        }
    )
    return {
        "id": f"survey-q{question.pk}-groups",
        "spec": spec,
        "description": description,
        "columns": ["Partner", "Average", "Responses"],
        "rows": [
            [r["group"], format_value(r["average"], decimals=2), r["responses"]] for r in rows
        ],
    }


def survey_charts(results: dict | None) -> dict | None:
    """Add `charts` (a list) to each question of `results`; nothing when results are hidden."""
    if not results:
        return results
    for number, entry in enumerate(results["questions"], start=1):
        entry["charts"] = []
        if not results["enough"] or not entry.get("distribution"):
            continue
        question = entry["question"]
        entry["charts"].append(_answers_chart(number, question, entry))
        if question.kind == QuestionKind.SCALE:
            groups = _groups_chart(number, question, entry)
            if groups is not None:
                entry["charts"].append(groups)
    return results
