"""Instructor challenge authoring through the gateway API with the real services: create,
upload, validate, publish; a learner solves it; v2 gets its own board while v1 keeps its
runs; role checks; no labels on any learner path; export → import; bad input publishes
nothing."""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest

from services.supervisor.__main__ import demo_account
from services.supervisor.stack import Stack
from tests.integration.conftest import DEMO_ADMIN, login, register
from tests.support.polling import eventually

pytestmark = pytest.mark.integration

SOLUTION = """
import pandas as pd
import ascent_report
from sklearn.linear_model import LogisticRegression
train = pd.read_csv("/data/train.csv")
test = pd.read_csv("/data/test_features.csv")
features = [c for c in test.columns if c != "row_id"]
model = LogisticRegression(max_iter=500).fit(train[features], train["label"])
ascent_report.predictions(model.predict(test[features]))
"""
STARTER = """
import pandas as pd
train = pd.read_csv("/data/train.csv")
print(train.shape)
"""


def dataset(rows: int = 240, seed: int = 7) -> bytes:
    """Two informative features, a noise feature, an ID column; label from a linear rule."""
    rng = np.random.default_rng(seed)
    x1, x2, noise = rng.normal(size=(3, rows))
    label = np.where(x1 + 0.8 * x2 + rng.normal(0, 0.3, rows) > 0, "yes", "no")
    frame = pd.DataFrame(
        {"row_id": np.arange(1000, 1000 + rows), "x1": x1.round(4), "x2": x2.round(4)}
    )
    frame["noise"] = noise.round(4)
    frame["label"] = label
    return frame.to_csv(index=False).encode()


def authored_in_tracks(
    api: httpx.Client, headers: dict[str, str], slug: str
) -> dict[str, Any] | None:
    tracks: list[dict[str, Any]] = api.get("/api/tracks", headers=headers).json()["data"]
    challenge: dict[str, Any]
    for track in tracks:
        for challenge in track["challenges"]:
            if challenge["slug"] == slug:
                return challenge
    return None


@pytest.fixture(scope="module")
def instructor(stack: Stack) -> dict[str, str]:
    with httpx.Client(base_url=stack.base_url, timeout=60) as client:
        return {"Authorization": f"Bearer {login(client, 'instructor')}"}


def test_author_publish_solve_version_and_export(
    api: httpx.Client, stack: Stack, instructor: dict[str, str]
) -> None:
    learner = {"Authorization": f"Bearer {register(api, f'lea{uuid.uuid4().hex[:6]}')}"}
    base = "/api/authoring/challenges"

    # Learners get 403 on every authoring endpoint, pages included.
    for method, path in [
        ("GET", base),
        ("POST", base),
        ("GET", f"{base}/x"),
        ("PATCH", f"{base}/x"),
        ("POST", f"{base}/x/dataset"),
        ("POST", f"{base}/x/validate"),
        ("POST", f"{base}/x/publish"),
        ("POST", f"{base}/x/archive"),
        ("GET", f"{base}/x/export"),
        ("POST", "/api/authoring/import"),
    ]:
        kwargs: dict[str, Any] = {"json": {"title": "t"}} if method in ("POST", "PATCH") else {}
        if path.endswith(("/dataset", "/import")):
            kwargs = {"files": {"file": ("a.csv", b"a,b\n1,2\n3,4\n")}}
        response = api.request(method, path, headers=learner, **kwargs)
        assert response.status_code == 403, (method, path, response.text)

    created = api.post(
        base,
        json={
            "title": "Yes or no?",
            "lessonMarkdown": "# Decide\nPredict **label**.",
            "metric": "accuracy",
            "passThreshold": 0.8,
            "testFraction": 0.3,
            "starterCode": STARTER,
            "solution": SOLUTION,
            "hints": ["Look at x1 and x2.", "A linear model is enough."],
            "track": "beginner",
            "position": 50,
        },
        headers=instructor,
    )
    assert created.status_code == 201, created.text
    slug = created.json()["data"]["slug"]
    assert slug.startswith("yes-or-no") and created.json()["data"]["status"] == "draft"

    # Publishing without a dataset: a clear 422, nothing published.
    early = api.post(f"{base}/{slug}/publish", headers=instructor)
    assert early.status_code == 422 and "dataset" in early.json()["error"]["message"]

    upload = api.post(
        f"{base}/{slug}/dataset",
        files={"file": ("yes.csv", dataset())},
        data={"target": "label"},
        headers=instructor,
    )
    assert upload.status_code == 200, upload.text
    profile = upload.json()["data"]["dataset"]["profile"]
    assert profile["inferredTaskType"] == "classification"
    assert any(p["kind"] == "id_column" and p["column"] == "row_id" for p in profile["problems"])

    report = api.post(f"{base}/{slug}/validate", headers=instructor)
    assert report.status_code == 200, report.text
    check = report.json()["data"]
    assert check["ok"], check["messages"]
    assert check["reference"]["passed"] and check["reference"]["score"] >= 0.8
    assert check["starter"]["status"] == "ok"
    assert check["profile"]["split"]["method"] == "stratified"
    assert check["profile"]["split"]["testRows"] == 72
    # A validation run is ephemeral: it is not in the learner-facing catalog yet either.
    assert authored_in_tracks(api, learner, slug) is None

    published = api.post(f"{base}/{slug}/publish", headers=instructor)
    assert published.status_code == 200, published.text
    assert published.json()["data"]["status"] == "published"
    assert published.json()["data"]["currentVersion"] == 1

    # The instructor assigns it to a cohort the learner joins: their dashboard will show it.
    cohort = api.post("/api/cohorts", json={"name": f"Authored {slug}"}, headers=instructor)
    assert cohort.status_code == 201, cohort.text
    cohort_id = cohort.json()["data"]["id"]
    join = {"code": cohort.json()["data"]["joinCode"]}
    assert api.post("/api/cohorts/join", json=join, headers=learner).status_code == 200

    # The learner sees it in the Beginner track (via the progress catalog) and can open it.
    seen = eventually(lambda: authored_in_tracks(api, learner, slug))
    assigned = api.post(
        f"/api/cohorts/{cohort_id}/assignments",
        json={"challenge": slug, "dueAt": "2099-01-01"},
        headers=instructor,
    )
    assert assigned.status_code == 201, assigned.text
    assert seen["source"] == "authoring" and seen["version"] == 1 and seen["unlocked"]
    detail = api.get(f"/api/challenges/{slug}", headers=learner).json()["data"]
    assert detail["hints"] == ["Look at x1 and x2.", "A linear model is enough."]
    assert "solution" not in detail and "LogisticRegression" not in str(detail)

    submitted = api.post(
        f"/api/challenges/{slug}/submissions", json={"code": SOLUTION}, headers=learner
    )
    assert submitted.status_code == 201, submitted.text
    graded = submitted.json()["data"]
    assert graded["passed"] and graded["challengeVersion"] == 1

    board = eventually(
        lambda: api.get(f"/api/leaderboards/{slug}", headers=learner).json()["data"]["entries"]
    )
    assert board[0]["isYou"] and board[0]["publicScore"] == graded["publicScore"]
    eventually(
        lambda: any(
            r["challenge"] == slug and r["passed"]
            for r in api.get("/api/profile", headers=learner).json()["data"]["results"]
        )
    )

    # The cohort dashboard (fed only by events) shows the learner's run and pass.
    def dashboard_row() -> dict[str, Any] | None:
        response = api.get(
            "/api/analytics/dashboard",
            params={"cohort": cohort_id, "challenge": slug},
            headers=instructor,
        )
        assert response.status_code == 200, response.text
        rows = [c for c in response.json()["data"]["challenges"] if c["challenge"] == slug]
        return rows[0] if rows and rows[0]["learnersPassed"] == 1 else None

    row = eventually(dashboard_row)
    assert (row["runs"], row["graded"], row["passRate"]) == (1, 1, 1.0)
    assert row["title"] == "Yes or no?"

    # No endpoint hands a learner the hidden labels or the solution.
    labels_hint = "label\n"
    for path in (f"/api/challenges/{slug}", f"/api/leaderboards/{slug}", "/api/tracks"):
        body = api.get(path, headers=learner).text
        assert labels_hint not in body and "LogisticRegression(max_iter=500)" not in body
    run_view = api.get(f"/api/runs/{graded['sessionId']}", headers=learner).text
    assert "labels_public" not in run_view and "labels.csv" not in run_view

    # Editing the published challenge starts v2 (a draft); v1 stays what learners see.
    edit = api.patch(f"{base}/{slug}", json={"passThreshold": 0.75}, headers=instructor)
    assert edit.status_code == 200, edit.text
    assert edit.json()["data"]["version"] == 2 and edit.json()["data"]["versionStatus"] == "draft"
    listed = authored_in_tracks(api, learner, slug)
    assert listed is not None and listed["version"] == 1
    v2 = api.post(f"{base}/{slug}/publish", headers=instructor)
    assert v2.status_code == 200, v2.text
    assert v2.json()["data"]["currentVersion"] == 2
    eventually(lambda: (authored_in_tracks(api, learner, slug) or {}).get("version") == 2)

    # v2 has its own (empty) board; v1's board keeps the learner's v1 run.
    assert api.get(f"/api/leaderboards/{slug}", headers=learner).json()["data"]["entries"] == []
    old = api.get(f"/api/leaderboards/{slug}?version=1", headers=learner).json()["data"]
    assert old["version"] == 1 and old["entries"][0]["publicScore"] == graded["publicScore"]
    again = api.post(
        f"/api/challenges/{slug}/submissions", json={"code": SOLUTION}, headers=learner
    ).json()["data"]
    assert again["challengeVersion"] == 2
    versions = api.get(f"{base}/{slug}", headers=instructor).json()["data"]["versions"]
    assert [(v["version"], v["status"]) for v in versions] == [(1, "retired"), (2, "published")]

    # Export → import: the zip is a curriculum-format folder; importing makes a new draft.
    exported = api.get(f"{base}/{slug}/export", headers=instructor)
    assert exported.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(exported.content)).namelist()
    assert sorted(names) == [f"{slug}/challenge.yaml", f"{slug}/data.csv"]
    imported = api.post(
        "/api/authoring/import",
        files={"file": ("c.zip", exported.content, "application/zip")},
        headers=instructor,
    )
    assert imported.status_code == 201, imported.text
    copy = imported.json()["data"]
    assert copy["slug"] != slug and copy["status"] == "draft"
    assert copy["passThreshold"] == 0.75 and copy["hints"] == detail["hints"]
    assert copy["dataset"]["profile"]["rows"] == 240 and copy["track"] == "beginner"

    # Archive: out of the track; the learner can no longer open or submit to it.
    archived = api.post(f"{base}/{slug}/archive", headers=instructor)
    assert archived.status_code == 200 and archived.json()["data"]["status"] == "archived"
    eventually(lambda: authored_in_tracks(api, learner, slug) is None)
    assert api.get(f"/api/challenges/{slug}", headers=learner).status_code == 404


def test_bad_input_publishes_nothing(
    api: httpx.Client, stack: Stack, instructor: dict[str, str]
) -> None:
    base = "/api/authoring/challenges"
    learner = {"Authorization": f"Bearer {register(api, f'lea{uuid.uuid4().hex[:6]}')}"}
    slug = api.post(
        base,
        json={
            "title": "Unreachable",
            "lessonMarkdown": "x",
            "metric": "accuracy",
            "passThreshold": 0.999,
            "starterCode": STARTER,
            "solution": SOLUTION,
            "hints": ["h"],
            "track": "beginner",
        },
        headers=instructor,
    ).json()["data"]["slug"]
    api.post(
        f"{base}/{slug}/dataset",
        files={"file": ("d.csv", dataset(seed=3))},
        data={"target": "label"},
        headers=instructor,
    )
    # The reference cannot reach the threshold: 422 naming the score, nothing published.
    refused = api.post(f"{base}/{slug}/publish", headers=instructor)
    assert refused.status_code == 422
    assert "does not reach the pass threshold" in refused.json()["error"]["message"]
    state = api.get(f"{base}/{slug}", headers=instructor).json()["data"]
    assert state["status"] == "draft" and state["currentVersion"] == 0
    assert state["validation"]["reference"]["status"] == "failed"

    # A failing reference solution.
    api.patch(
        f"{base}/{slug}",
        json={"passThreshold": 0.5, "solution": "raise RuntimeError('broken')"},
        headers=instructor,
    )
    broken = api.post(f"{base}/{slug}/publish", headers=instructor)
    assert broken.status_code == 422 and "RuntimeError" in broken.json()["error"]["message"]

    # No usable target: a constant column.
    constant = b"a,b,c\n" + b"".join(f"{i},{i * 2},same\n".encode() for i in range(30))
    upload = api.post(
        f"{base}/{slug}/dataset",
        files={"file": ("c.csv", constant)},
        data={"target": "c"},
        headers=instructor,
    )
    assert upload.status_code == 200
    problems = upload.json()["data"]["dataset"]["profile"]["problems"]
    assert any(p["kind"] == "no_target" and p["severity"] == "error" for p in problems)
    no_target = api.post(f"{base}/{slug}/publish", headers=instructor)
    assert (
        no_target.status_code == 422 and "no usable values" in no_target.json()["error"]["message"]
    )
    # A bad field is a 400; an unknown challenge a 404; drafts are not gradable by learners.
    assert (
        api.patch(f"{base}/{slug}", json={"metric": "nope"}, headers=instructor).status_code == 400
    )
    assert api.get(f"{base}/no-such", headers=instructor).status_code == 404
    assert authored_in_tracks(api, learner, slug) is None
    assert (
        api.post(
            f"/api/challenges/{slug}/submissions", json={"code": SOLUTION}, headers=learner
        ).status_code
        == 404
    )


def test_make_run_prints_a_demo_instructor(
    stack: Stack, tmp_path: Path, instructor: dict[str, str]
) -> None:
    """`make run` prints an instructor login: the same on every start, and only a password
    that really logs in (here the account exists from the stack's staff file)."""
    (tmp_path / "demo-instructor-password").write_text("not the password")
    assert demo_account(stack, tmp_path, "instructor") is None
    (tmp_path / "demo-instructor-password").write_text("correct horse 42")
    first = demo_account(stack, tmp_path, "instructor")
    again = demo_account(stack, tmp_path, "instructor")
    assert first is not None and first == again and first[0] == "instructor"
    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        token = client.post("/api/auth/token", json={"username": first[0], "password": first[1]})
        assert token.status_code == 200, token.text
        me = client.get(
            "/api/authoring/challenges",
            headers={"Authorization": f"Bearer {token.json()['data']['token']}"},
        )
        assert me.status_code == 200


def test_make_run_registers_a_demo_admin(stack: Stack) -> None:
    """The demo admin (created by the gateway from the staff file, as `make run` writes it)
    gets a generated password that logs in and opens the platform view."""
    data_dir = stack.config.data_dir
    account = demo_account(stack, data_dir, DEMO_ADMIN)
    assert account is not None and account[0] == DEMO_ADMIN
    assert len(account[1]) >= 12
    assert account == demo_account(stack, data_dir, DEMO_ADMIN)
    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        token = client.post(
            "/api/auth/token", json={"username": DEMO_ADMIN, "password": account[1]}
        )
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['data']['token']}"}
        assert client.get("/api/me", headers=headers).json()["data"]["role"] == "admin"
        assert client.get("/api/analytics/platform", headers=headers).status_code == 200
