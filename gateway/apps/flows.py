"""Orchestration of the apps domain over the apps service and the notebook sessions the
gateway owns (an app works on a session's dataset; "Open in notebook" makes a session)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from ascent.apps.v1 import apps_service_pb2 as pb
from ascent.types.v1 import run_pb2
from sqlalchemy.orm import Session

from gateway.accounts.views import UserInfo
from gateway.apps.views import (
    AnalysisView,
    AppliedView,
    AppView,
    ExplainChoiceView,
    ExplainLevelView,
    ExplainRunView,
    ExplanationRankingView,
    TrainedModelView,
)
from gateway.context import Gateway
from gateway.models import NotebookSession
from gateway.notebook import flows as notebook
from gateway.views import timestamp_iso
from services.common.db import utcnow
from services.common.errors import AscentError
from services.common.ml.pipelines import EXPLAINABLE_ESTIMATORS, describe, spec_from_outcome
from services.common.ml.scoring import better, ranking_score
from services.common.report_sections import sections_of

SECTION_VIEWS = {
    "overview": "Overview",
    "problems": "Problems",
    "columns": "Columns",
    "missing": "Missing values",
    "correlations": "Correlations",
    "scatter": "Scatter",
    "anomalies": "Anomalies",
    "quality": "Data quality",
}


async def list_apps(gw: Gateway, user: UserInfo) -> list[AppView]:
    response = await gw.clients.apps_call(
        "ListApps", pb.ListAppsResponse, pb.ListAppsRequest(learner_id=user.id)
    )
    return [AppView.of(app) for app in response.apps]


async def app_info(gw: Gateway, user: UserInfo, slug: str) -> AppView:
    for app in await list_apps(gw, user):
        if app.slug == slug:
            return app
    raise AscentError("not_found", f"There is no app {slug!r}.")


async def sessions_with_data(gw: Gateway, user: UserInfo) -> list[NotebookSession]:
    return [s for s in await notebook.list_sessions(gw, user) if s.dataset_sha256]


async def pick_session(
    gw: Gateway, user: UserInfo, session_id: str
) -> tuple[NotebookSession | None, list[NotebookSession]]:
    """The asked session (owned), else the newest one with a dataset; and all with data."""
    choices = await sessions_with_data(gw, user)
    if session_id:
        return await notebook.get_session(gw, user, session_id), choices
    return (choices[0] if choices else None), choices


def _request(
    user: UserInfo, slug: str, session: NotebookSession, options: dict[str, Any]
) -> pb.StartAnalysisRequest:
    if not session.dataset_sha256:
        raise AscentError(
            "unprocessable", "This session has no dataset yet: upload a CSV in the notebook first."
        )
    return pb.StartAnalysisRequest(
        app_slug=slug,
        owner_id=user.id,
        session_id=session.id,
        dataset_sha256=session.dataset_sha256,
        dataset_name=session.dataset_filename or "",
        target=session.dataset_target or "",
        options_json=json.dumps(options),
    )


async def stream(
    gw: Gateway, user: UserInfo, slug: str, session_id: str, options: dict[str, Any]
) -> AsyncIterator[pb.AnalysisEvent]:
    session = await notebook.get_session(gw, user, session_id)
    if slug == EXPLAIN and session.dataset_sha256:
        options = await explain_options(gw, user, session, options)
    request = _request(user, slug, session, options)
    async for event in gw.clients.apps_stream(request):
        yield event


async def run(
    gw: Gateway, user: UserInfo, slug: str, session_id: str, options: dict[str, Any]
) -> AnalysisView:
    """An analysis to its end (the API's non-streaming form)."""
    async for event in stream(gw, user, slug, session_id, options):
        if event.WhichOneof("item") == "result":
            return AnalysisView.of(event.result)
    raise AscentError("unavailable", "The apps service ended the analysis without a result.")


async def program(
    gw: Gateway, user: UserInfo, slug: str, session_id: str, options: dict[str, Any]
) -> str:
    session = await notebook.get_session(gw, user, session_id)
    if slug == EXPLAIN and session.dataset_sha256:
        options = await explain_options(gw, user, session, options)
    response = await gw.clients.apps_call(
        "GetProgram", pb.GetProgramResponse, _request(user, slug, session, options)
    )
    return str(response.code)


async def latest(gw: Gateway, user: UserInfo, slug: str, session_id: str) -> AnalysisView | None:
    response = await gw.clients.apps_call(
        "GetAnalysis",
        pb.GetAnalysisResponse,
        pb.GetAnalysisRequest(owner_id=user.id, app_slug=slug, session_id=session_id),
    )
    return AnalysisView.of(response.analysis) if response.found else None


async def get(gw: Gateway, user: UserInfo, slug: str, analysis_id: str) -> AnalysisView:
    response = await gw.clients.apps_call(
        "GetAnalysis",
        pb.GetAnalysisResponse,
        pb.GetAnalysisRequest(owner_id=user.id, analysis_id=analysis_id),
    )
    if not response.found or response.analysis.app_slug != slug:
        raise AscentError("not_found", "There is no such analysis.")
    return AnalysisView.of(response.analysis)


async def cancel(gw: Gateway, user: UserInfo, analysis_id: str) -> bool:
    response = await gw.clients.apps_call(
        "CancelAnalysis",
        pb.CancelAnalysisResponse,
        pb.CancelAnalysisRequest(analysis_id=analysis_id, owner_id=user.id),
    )
    return bool(response.found)


async def record_view(
    gw: Gateway, user: UserInfo, analysis_id: str, view: str, seconds: float
) -> None:
    await gw.clients.apps_call(
        "RecordView",
        pb.RecordViewResponse,
        pb.RecordViewRequest(analysis_id=analysis_id, owner_id=user.id, view=view, seconds=seconds),
    )


def insert_after_read(code: str, snippet: str) -> str:
    """The notebook code with `snippet` after its first `read_csv(` line (where the data
    frame exists), else at the end."""
    lines = code.split("\n")
    for index, line in enumerate(lines):
        if "read_csv(" in line:
            indent = line[: len(line) - len(line.lstrip())]
            block = [f"{indent}# Applied from the Data Explorer"]
            block += [f"{indent}{part}" for part in snippet.split("\n")]
            return "\n".join([*lines[: index + 1], *block, *lines[index + 1 :]])
    return code.rstrip("\n") + "\n\n# Applied from the Data Explorer\n" + snippet + "\n"


async def decide(
    gw: Gateway,
    user: UserInfo,
    slug: str,
    analysis_id: str,
    key: str,
    verdict: str,
    insert: bool,
) -> AppliedView:
    analysis = await get(gw, user, slug, analysis_id)
    response = await gw.clients.apps_call(
        "ApplySuggestion",
        pb.ApplySuggestionResponse,
        pb.ApplySuggestionRequest(
            analysis_id=analysis_id, owner_id=user.id, suggestion_key=key, verdict=verdict
        ),
    )
    inserted = False
    if insert and verdict == "applied" and response.code:
        current = await notebook.get_session(gw, user, analysis.sessionId)
        await notebook.save_code(
            gw, user, analysis.sessionId, insert_after_read(current.code, response.code)
        )
        inserted = True
    return AppliedView(
        verdict=verdict,
        code=response.code,
        inserted=inserted,
        notebookUrl=f"/notebook/{analysis.sessionId}",
    )


async def open_in_notebook(
    gw: Gateway, user: UserInfo, slug: str, analysis_id: str
) -> NotebookSession:
    """A new notebook session on the same dataset whose code is the analysis's program
    (the learner's own notebook code is left as it is)."""
    analysis = await get(gw, user, slug, analysis_id)
    source = await notebook.get_session(gw, user, analysis.sessionId)
    app = await app_info(gw, user, slug)
    created = await notebook.create_session(
        gw, user, f"{app.title} · {source.dataset_filename or 'dataset'}"
    )

    def fill(session: Session) -> NotebookSession:
        target = session.get(NotebookSession, created.id)
        assert target is not None
        target.code = analysis.code
        target.dataset_sha256 = source.dataset_sha256
        target.dataset_filename = source.dataset_filename
        target.dataset_rows = source.dataset_rows
        target.dataset_columns = source.dataset_columns
        target.dataset_target = source.dataset_target
        target.updated_at = utcnow()
        return target

    return await gw.work(fill)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _trained_row(run_id: str, data: dict[str, Any], created_at: str | None) -> TrainedModelView:
    params = data.get("params")
    return TrainedModelView(
        runId=run_id,
        model=str(data.get("model", "")),
        params=params if isinstance(params, dict) else {},
        metric=str(data.get("metric", "")),
        train=_number(data.get("train")),
        validation=_number(data.get("validation")),
        test=_number(data.get("test")),
        reading=str(data.get("reading", "")),
        createdAt=created_at,
    )


async def trained_models(
    gw: Gateway, user: UserInfo, session_id: str, just_finished: pb.Analysis | None = None
) -> list[TrainedModelView]:
    """The session's Model Training Sandbox runs, best validation score first (the
    comparison dashboard): each run's own evaluation section, read from its stdout. The
    Runs board learns a run an event later, so a training that has just finished
    (`just_finished`) is added from its stored evaluation when the board lacks it yet."""
    rows = []
    view = await notebook.session_runs(gw, user, session_id)
    # The list has summaries (the tail of stdout): the training runs are read whole.
    wanted = {run.id for run in view.runs if run.app_slug == "training" and run.status == "ok"}
    for run in await notebook.whole_runs(gw, view.notebook, view.runs, wanted):
        if run.id not in wanted:
            continue
        found = [s.data for s in sections_of(run.stdout) if s.kind == "evaluation"]
        if not found:
            continue
        rows.append(_trained_row(run.id, found[-1], timestamp_iso(run.created_at)))
    if (
        just_finished is not None
        and just_finished.status == "completed"
        and just_finished.run_id not in {r.runId for r in rows}
    ):
        evaluation = [s for s in just_finished.sections if s.kind == "evaluation"]
        if evaluation:
            data = json.loads(evaluation[-1].data_json)
            created = (
                timestamp_iso(just_finished.created_at)
                if just_finished.HasField("created_at")
                else None
            )
            rows.append(_trained_row(just_finished.run_id, data, created))
    rows.sort(key=lambda r: -(r.validation if r.validation is not None else -1e9))
    return rows


def form_options(options_json: str) -> dict[str, Any]:
    """The app's options a page form sent as JSON (the apps service validates each)."""
    if not options_json.strip():
        return {}
    try:
        options = json.loads(options_json)
    except ValueError:
        raise AscentError("invalid_argument", "The app's options are not valid JSON.") from None
    if not isinstance(options, dict):
        raise AscentError("invalid_argument", "The app's options must be a JSON object.")
    return options


def section_data(section: pb.Section) -> dict[str, Any]:
    data = json.loads(section.data_json) if section.data_json else {}
    return data if isinstance(data, dict) else {}


# -- AutoML Trainer (issue 15) -------------------------------------------------------------
async def automl_suggestions(
    gw: Gateway, dataset_sha256: str, learner_id: str = ""
) -> dict[str, Any]:
    """The recommender's top pipelines for the dataset (its meta-features, expected score,
    rationale, including what worked for learners with a history like this learner's), and
    the specs the search will try first. The recommender being down is said, not fatal: the
    search then starts cold."""
    try:
        response = await gw.clients.recommend(dataset_sha256, limit=5, learner_id=learner_id)
    except AscentError as err:
        return {"pipelines": [], "specs_json": "[]", "note": err.message, "meta": {}}
    pipelines, specs = [], []
    for item in response.pipelines:
        try:
            spec = json.loads(item.pipeline_json)
        except ValueError:
            continue
        if not isinstance(spec, dict):
            continue
        specs.append({**spec, "expected_score": item.expected_score})
        pipelines.append(
            {
                "estimator": str(spec.get("estimator", "")),
                "steps": spec.get("steps", []),
                "params": spec.get("params", {}),
                "expected_score": item.expected_score,
                "uncertainty": item.uncertainty,
                "support": item.support,
                "rationale": item.rationale,
            }
        )
    m = response.meta_features
    meta = {
        "rows": m.rows,
        "features": m.columns,
        "task_type": m.task_type,
        "classes": m.n_classes,
        "missing_ratio": m.missing_ratio,
        "categorical_ratio": m.categorical_ratio,
        "class_imbalance": m.class_imbalance,
        "landmarks": {k: v for k, v in m.extra.items() if k.startswith("landmark_")},
    }
    return {"pipelines": pipelines, "specs_json": json.dumps(specs), "note": "", "meta": meta}


async def starting_points(gw: Gateway, user: UserInfo, session: NotebookSession) -> dict[str, Any]:
    """The Model Training Sandbox's recommended starting configurations and every model's
    hyperparameter ranges for the session's dataset, before any training: from the
    knowledge base ("based on N runs on similar datasets"), else the documented defaults.
    The apps service being down is said, not fatal: the documented ranges stay on the page."""
    try:
        response = await gw.clients.apps_call(
            "GetStartingPoints",
            pb.GetStartingPointsResponse,
            pb.GetStartingPointsRequest(
                owner_id=user.id,
                dataset_sha256=session.dataset_sha256 or "",
                target=session.dataset_target or "",
            ),
        )
    except AscentError as err:
        return {
            "recommended": [],
            "models": {},
            "evidence": "documented default",
            "note": err.message,
        }
    data: dict[str, Any] = json.loads(response.data_json)
    return data


# -- Built-in datasets (issue 14: an app opens on built-in data as well as on an upload) ----
# scikit-learn's bundled tables (shipped with the package, never downloaded): the notebook's
# Iris fallback and the data the beginner challenges are built from. (key: title, loader
# name, target column, class names as labels)
BUILTIN_DATASETS: dict[str, tuple[str, str, str, bool]] = {
    "iris": ("Iris flowers", "load_iris", "species", True),
    "wine": ("Wine cultivars", "load_wine", "cultivar", True),
    "breast_cancer": ("Breast cancer diagnosis", "load_breast_cancer", "diagnosis", True),
    "diabetes": ("Diabetes progression", "load_diabetes", "progression", False),
}


def builtin_csv(key: str) -> tuple[str, bytes, str]:
    """(file name, CSV bytes, target) of a built-in dataset, its target the last column."""
    import sklearn.datasets

    if key not in BUILTIN_DATASETS:
        raise AscentError(
            "invalid_argument",
            f"There is no built-in dataset {key!r}; choose one of {', '.join(BUILTIN_DATASETS)}.",
        )
    _, loader, target, labelled = BUILTIN_DATASETS[key]
    bunch = getattr(sklearn.datasets, loader)(as_frame=True)
    frame = bunch.frame.rename(columns={"target": target})
    if labelled:
        frame[target] = frame[target].map(dict(enumerate(bunch.target_names)))
    return f"{key}.csv", frame.to_csv(index=False).encode(), target


async def open_builtin(gw: Gateway, user: UserInfo, key: str) -> NotebookSession:
    """A new notebook session holding a built-in dataset, stored like an upload (the same
    checks, quota, store and event), so every app and the notebook work on it."""
    filename, content, target = await asyncio.to_thread(builtin_csv, key)
    created = await notebook.create_session(gw, user, f"{BUILTIN_DATASETS[key][0]} (built-in)")
    await notebook.upload_dataset(gw, user, created.id, filename, content, target=target)
    return await notebook.get_session(gw, user, created.id)


# -- Model Explainability Suite (issue 15) -------------------------------------------------
EXPLAIN = "explain"
LEVELS = ("beginner", "intermediate", "advanced")
LEVEL_WORDS = {
    "beginner": "plain words and one chart (global importance)",
    "intermediate": "+ beeswarm, one prediction step by step, permutation importance",
    "advanced": "everything: + dependence, counterfactuals and the bias check",
}


def _run_kind(run: run_pb2.Run) -> str:
    if run.app_slug:
        return f"app {run.app_slug}"
    if run.challenge_slug:
        return "challenge practice" if run.practice else "challenge submission"
    return "notebook"


def _explain_run(run: run_pb2.Run) -> ExplainRunView | None:
    spec = spec_from_outcome(run.outcome.pipeline_json, "")
    if spec is None:
        return None
    score = ranking_score(run.outcome)
    explainable = spec["estimator"] in EXPLAINABLE_ESTIMATORS
    kind = _run_kind(run)
    scored = f", {score.metric} {score.value:.4g}" if score is not None else ", no score"
    return ExplainRunView(
        runId=run.id,
        kind=kind,
        estimator=spec["estimator"],
        steps=list(spec["steps"]),
        metric=score.metric if score is not None else None,
        score=score.value if score is not None else None,
        createdAt=timestamp_iso(run.created_at),
        explainable=explainable,
        reason=""
        if explainable
        else f"the suite cannot re-create {spec['estimator'][:60]} from its spec",
        label=f"run {run.id[:8]} · {kind} · {describe(spec)}{scored}",
    )


async def explain_runs(
    gw: Gateway, user: UserInfo, session: NotebookSession
) -> tuple[list[ExplainRunView], dict[str, run_pb2.Run]]:
    """The session's runs on its current dataset that printed a pipeline spec (notebook,
    app and challenge runs alike), newest first, with the runs themselves by id."""
    view = await notebook.session_runs(gw, user, session.id, notebook.CURRENT_DATASET)
    found, runs = [], {}
    for run in view.runs:
        if run.status != "ok" or run.has_error:
            continue
        item = _explain_run(run)
        if item is not None:
            found.append(item)
            runs[run.id] = run
    return found, runs


def best_explainable(runs: list[ExplainRunView]) -> tuple[ExplainRunView | None, str]:
    """The default model: the best-scored run the suite can re-create (the leaderboard's
    metric direction), else the newest one; and why, in words."""
    usable = [r for r in runs if r.explainable]
    if not usable:
        if runs:
            return None, (
                f"none of the session's {len(runs)} runs with a pipeline trained a model the "
                "suite can re-create, so the platform's default model is explained"
            )
        return None, (
            "the session has no run that printed a pipeline spec yet, so the platform's "
            "default model (a random forest) is explained"
        )
    scored = [r for r in usable if r.score is not None and r.metric is not None]
    if not scored:
        return usable[0], "the newest of the session's runs with a pipeline (none has a score)"
    metric = scored[0].metric or ""
    same = [r for r in scored if r.metric == metric]
    best = same[0]
    for run in same[1:]:
        if (
            run.score is not None
            and best.score is not None
            and better(metric, run.score, best.score)
        ):
            best = run
    if len(usable) == 1:
        return best, "the session's only run with a pipeline on this dataset"
    return best, (
        f"the best {metric} of the session's {len(usable)} runs with a pipeline on this dataset"
    )


async def explain_level(gw: Gateway, user: UserInfo) -> ExplainLevelView:
    """The depth the suite starts at, from progress: a challenge passed on an advanced or
    production track → advanced; on an intermediate track (or that track open) →
    intermediate; else beginner. Progress being down is said; the learner can switch."""
    try:
        tracks = await gw.clients.list_tracks(user.id)
    except AscentError as err:
        return ExplainLevelView(
            level="beginner", why=f"progress could not be asked ({err.message}): beginner"
        )
    passed: dict[str, int] = {}
    for track in tracks:
        passed[track.level] = passed.get(track.level, 0) + track.passed_count
    opened = {t.level for t in tracks if t.unlocked}
    total = sum(passed.values())
    advanced = passed.get("advanced", 0) + passed.get("production", 0)
    if advanced:
        level = "advanced"
        why = f"you passed {advanced} challenge(s) on the Advanced/Production tracks"
    elif passed.get("intermediate", 0) or "intermediate" in opened:
        level = "intermediate"
        why = (
            f"you passed {passed.get('intermediate', 0)} Intermediate challenge(s)"
            if passed.get("intermediate", 0)
            else f"you passed {total} challenge(s) and opened the Intermediate track"
        )
    else:
        level = "beginner"
        why = f"you passed {total} challenge(s), none beyond the Beginner track"
    return ExplainLevelView(level=level, why=f"{why}: {level} depth — {LEVEL_WORDS[level]}")


async def explain_choice(
    gw: Gateway, user: UserInfo, session: NotebookSession
) -> ExplainChoiceView:
    runs, _ = await explain_runs(gw, user, session)
    best, why = best_explainable(runs)
    return ExplainChoiceView(
        runs=runs,
        defaultRunId=best.runId if best is not None else "",
        defaultWhy=why,
        level=await explain_level(gw, user),
    )


async def explain_options(
    gw: Gateway, user: UserInfo, session: NotebookSession, options: dict[str, Any]
) -> dict[str, Any]:
    """The options with the model resolved: `run_id` (a run of the session) becomes that
    run's pipeline spec and where it came from; no run and no `model` → the best run; no
    `depth` → the learner's level. An explicit `model` {spec} (API) is kept as given."""
    resolved = dict(options)
    run_id = resolved.pop("run_id", None)
    if "depth" not in resolved:
        resolved["depth"] = (await explain_level(gw, user)).level
    if "model" in resolved and run_id is None:
        return resolved
    runs, by_id = await explain_runs(gw, user, session)
    if run_id is not None:
        chosen = next((r for r in runs if r.runId == run_id), None)
        if chosen is None:
            raise AscentError(
                "not_found",
                "There is no run with a pipeline spec with this id on the session's dataset.",
            )
        best, best_why = best_explainable(runs)
        # The page's picker always sends its selection, which starts at the default.
        why = best_why if best is not None and best.runId == run_id else "picked by you"
    else:
        chosen, why = best_explainable(runs)
    if chosen is None:
        resolved["model"] = {"from": f"the platform's default model ({why})"[:200]}
        return resolved
    spec = spec_from_outcome(by_id[chosen.runId].outcome.pipeline_json, "")
    resolved["model"] = {"spec": spec, "from": f"{chosen.label} — {why}"[:200]}
    return resolved


async def explanation_ranking(gw: Gateway, level: str) -> ExplanationRankingView:
    response = await gw.clients.apps_call(
        "RankExplanations", pb.ExplanationRanking, pb.RankExplanationsRequest(level=level)
    )
    return ExplanationRankingView.of(response)


async def rate_explanation(
    gw: Gateway, user: UserInfo, analysis_id: str, explanation: str, useful: bool
) -> ExplanationRankingView:
    response = await gw.clients.apps_call(
        "RateExplanation",
        pb.ExplanationRanking,
        pb.RateExplanationRequest(
            analysis_id=analysis_id, owner_id=user.id, explanation=explanation, useful=useful
        ),
    )
    return ExplanationRankingView.of(response)


async def explain_ordered(gw: Gateway, analysis: AnalysisView) -> AnalysisView:
    """The analysis with its explanations in the order learners of its level rated most
    useful (the `model` and `problems` sections stay first)."""
    model = analysis.section("model")
    level = str(model.get("depth", "")) if model else ""
    if level not in LEVELS:
        return analysis
    try:
        order = (await explanation_ranking(gw, level)).order()
    except AscentError:
        return analysis  # the program's order, when the apps service cannot say
    place = {kind: i for i, kind in enumerate(order)}
    ranked = sorted(
        enumerate(analysis.sections),
        key=lambda item: (place.get(item[1].kind, -1), item[0]),
    )
    return analysis.model_copy(update={"sections": [s for _, s in ranked]})
