"""The Data Explorer's section macros: what the page says, with no inline script (a CSP is
coming) and every chart's data in a data attribute."""

from __future__ import annotations

from gateway.apps.views import SectionView
from gateway.rendering import render_html


def fragment(kind: str, data: dict[str, object]) -> str:
    context = {
        "section": SectionView(kind=kind, version=1, data=data),
        "slug": "explorer",
        "analysis_id": "a-1",
        "running": False,
    }
    return render_html("_explorer_fragments.html", context, ["one_section"])


OVERVIEW = {
    "rows": 50_000,
    "profiled_rows": 20_000,
    "sampled": True,
    "sample_rows": 20_000,
    "columns": 3,
    "target": "y",
    "task_type": "classification",
    "duplicates": 0,
    "missing_cells": 0,
    "missing_share": 0.0,
    "memory_kb": 1.0,
    "type_counts": {"numeric": 2, "categorical": 1},
    "neighbourhood": "classification|r2|c0|m0|k2",
}


def test_a_sampled_profile_says_so() -> None:
    html = fragment("overview", OVERVIEW)
    assert "profiled on a random sample of 20000 of 50000 rows" in html
    assert "<script" not in html
    unsampled = fragment("overview", {**OVERVIEW, "sampled": False, "profiled_rows": 50_000})
    assert "random sample" not in unsampled


def test_problems_say_what_would_work_and_recommendations_can_be_applied() -> None:
    problems = {
        "problems": [
            {"key": "few_rows", "message": "Only 3 rows.", "what_would_work": "Use more rows."}
        ],
        "blocking": True,
    }
    html = fragment("problems", problems)
    assert "cannot be profiled yet" in html and "What would work: Use more rows." in html
    quality = {
        "score": 72.5,
        "penalties": {"missing": 10.0, "leak": 15.0},
        "neighbourhood": "none|r0|c0|m1|k0",
        "recommendations": [
            {
                "key": "leak:g",
                "kind": "leak",
                "column": "g",
                "severity": 0.9,
                "title": "Suspected leak: 'g'",
                "why": "too good",
                "code": "df = df.drop(columns=['g'])",
                "evidence": "no evidence yet",
            }
        ],
    }
    html = fragment("quality", quality)
    assert "72.5 / 100" in html and "Apply in the notebook" in html
    assert "/apps/explorer/analyses/a-1/suggestions" in html
    assert "<script" not in html and "style=" not in html
