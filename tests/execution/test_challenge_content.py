"""Content check of the curriculum through the REAL execution service and sandbox: every
challenge loads, its reference solution passes its threshold, its starter code runs and
scores near its documented baseline without passing, and the hidden labels are out of reach
of learner code. One execution service for the whole module keeps this fast."""

from __future__ import annotations

import asyncio
import inspect
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
from ascent.execution.v1 import execution_service_pb2 as pb
from ascent.execution.v1 import execution_service_pb2_grpc as pb_grpc
from ascent.types.v1 import run_pb2

from services.common.challenge_data import SECRET_FILE, install_secret, materialize
from services.common.config import CommonSettings
from services.common.curriculum import ChallengeSpec, challenge_index, load_catalog
from services.common.ml.scoring import meets
from services.common.runtime import serve
from services.execution.config import Settings, default_curriculum_dir
from services.execution.main import setup
from services.execution.sandbox.grading import grade as grade_predictions
from tests.support.nats_server import free_port, running_nats

# The execution service in-process with its own nats-server.
pytestmark = pytest.mark.integration

CATALOG = load_catalog(default_curriculum_dir())
CHALLENGES = sorted(challenge_index(CATALOG).values(), key=lambda c: c.slug)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def service(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[pb_grpc.ExecutionServiceStub, Path]]:
    data_dir = tmp_path_factory.mktemp("content")
    with running_nats(data_dir / "jetstream") as nats:
        # No authoring service here: a free port, never a real one on the default address.
        common = CommonSettings(
            nats_url=nats.url, data_dir=data_dir, authoring_addr=f"127.0.0.1:{free_port()}"
        )
        settings = Settings(grpc_port=free_port(), wall_seconds=60, cpu_seconds=60)
        stop = asyncio.Event()
        task = asyncio.create_task(
            serve("execution", settings, setup, "services.execution.migrations", common, stop)
        )
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{settings.grpc_port}")
        await asyncio.wait_for(channel.channel_ready(), 60)
        try:
            yield pb_grpc.ExecutionServiceStub(channel), data_dir
        finally:
            await channel.close(grace=None)
            stop.set()
            await asyncio.wait_for(task, 30)


async def submit(
    stub: pb_grpc.ExecutionServiceStub, slug: str, code: str, practice: bool = False
) -> run_pb2.Run:
    request = pb.ExecuteRequest(
        run_id=str(uuid.uuid4()),
        owner_id="content-check",
        session_id="s",
        code=code,
        challenge_slug=slug,
        practice=practice,
    )
    items: list[pb.ExecuteResponse] = [item async for item in stub.Execute(request)]
    assert items[-1].WhichOneof("item") == "result"
    return items[-1].result


def test_tracks_have_the_required_number_of_challenges() -> None:
    counts = {t.slug: len(t.challenges) for t in CATALOG.tracks}
    assert counts["beginner"] >= 5
    assert counts["intermediate"] >= 3
    assert counts["advanced"] >= 2
    assert counts["production"] >= 2


@pytest.mark.parametrize("challenge", CHALLENGES, ids=lambda c: c.slug)
def test_challenge_is_complete(challenge: ChallengeSpec, tmp_path: Path) -> None:
    assert challenge.outcomes and challenge.lesson and len(challenge.hints) == 3
    assert challenge.baseline is not None
    files = materialize(challenge, tmp_path)
    header = files.test_features.read_text().splitlines()[0].split(",")
    # The target never appears among the learner's test columns.
    assert challenge.target not in header
    assert challenge.target in files.train.read_text().splitlines()[0].split(",")
    assert 0 < len(files.public_rows) < files.test_rows
    # Deterministic for one install's secret: building again gives the same bytes.
    secret = install_secret(tmp_path)
    again = materialize(challenge, tmp_path / "again", secret)
    assert again.labels.read_bytes() == files.labels.read_bytes()
    assert again.train.read_bytes() == files.train.read_bytes()
    # Another install (another secret) gets other data, so the curriculum's seed, which
    # anyone can read, rebuilds nothing.
    other = materialize(challenge, tmp_path / "other", b"x" * 32)
    assert other.train.read_bytes() != files.train.read_bytes()
    assert other.labels.read_bytes() != files.labels.read_bytes()
    # The secret is private to the service's user.
    assert (tmp_path / SECRET_FILE).stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("challenge", CHALLENGES, ids=lambda c: c.slug)
@pytest.mark.asyncio(loop_scope="module")
async def test_reference_solution_passes_and_starter_runs_below_it(
    service: tuple[pb_grpc.ExecutionServiceStub, Path], challenge: ChallengeSpec
) -> None:
    stub, _ = service
    solved = await submit(stub, challenge.slug, challenge.solution)
    assert solved.status == "ok", solved.stderr[-2000:]
    assert solved.challenge_slug == challenge.slug
    grade = solved.grade
    assert grade.status == "graded", grade.message
    # Passing is judged on all the hidden rows (the public part alone is a few dozen rows).
    assert grade.passed, (grade.public_score, grade.private_score, challenge.pass_threshold)
    assert grade.HasField("private_score")

    starter = await submit(stub, challenge.slug, challenge.starter_code)
    assert starter.status == "ok", starter.stderr[-2000:]
    assert starter.grade.status == "graded", starter.grade.message
    assert not starter.grade.passed
    assert challenge.baseline is not None
    # Every challenge's data is the install's (issue 17), so the starter's score moves with
    # the secret (tuned-forest's starter: 0.50 in the curriculum, 0.81 on one install): it must
    # stay below the reference and fail. TODO(issue 17): baselines measured per install.
    assert not meets(challenge.metric, starter.grade.public_score, grade.public_score)


LEAK_PROBE = """
import glob, os
import pandas as pd
print("DATA:", sorted(os.listdir("/data")))
for path in {paths!r}:
    try:
        open(path).read()
        print("LEAK:", path)
    except OSError:
        pass
for top in ("/data", "/tmp", "/work", "/root", "/home", "/var", os.getcwd()):
    for name in ("labels*.csv", "public_rows.json", ".challenge-secret"):
        for path in glob.glob(f"{{top}}/**/{{name}}", recursive=True):
            print("LEAK:", path)
test = pd.read_csv("/data/test_features.csv")
print("COLUMNS:", list(test.columns))
"""


@pytest.mark.asyncio(loop_scope="module")
async def test_hidden_labels_are_not_reachable_from_learner_code(
    service: tuple[pb_grpc.ExecutionServiceStub, Path],
) -> None:
    stub, data_dir = service
    challenge = CHALLENGES[0]
    await submit(stub, challenge.slug, "print('warm')")  # makes the service build the files
    # The very files the grader reads (built by the service under its data dir).
    hidden = sorted(str(p) for p in (data_dir / "challenges").glob("*/labels*.csv"))
    assert hidden
    run = await submit(stub, challenge.slug, LEAK_PROBE.format(paths=hidden))
    assert run.status == "ok", run.stderr
    assert "DATA: ['test_features.csv', 'train.csv']" in run.stdout
    assert "LEAK:" not in run.stdout
    assert challenge.target not in run.stdout.split("COLUMNS:")[1]


@pytest.mark.asyncio(loop_scope="module")
async def test_bad_submissions_get_clear_reasons(
    service: tuple[pb_grpc.ExecutionServiceStub, Path],
) -> None:
    stub, _ = service
    slug = "first-classifier"
    none = await submit(stub, slug, "print('no predictions here')")
    assert none.grade.status == "no_predictions"
    assert "ascent_report.predictions" in none.grade.message
    assert not none.grade.HasField("public_score")

    short = await submit(stub, slug, "import ascent_report\nascent_report.predictions([0, 1])")
    assert short.grade.status == "invalid"
    assert "expected" in short.grade.message and "got 2" in short.grade.message

    typed = await submit(
        stub,
        slug,
        "import ascent_report, pandas as pd\n"
        "n = len(pd.read_csv('/data/test_features.csv'))\n"
        "ascent_report.predictions(['setosa'] * n)",
    )
    assert typed.grade.status == "invalid"
    assert not typed.grade.passed

    crashed = await submit(stub, slug, "raise ValueError('boom')")
    assert crashed.has_error and crashed.grade.status == "run_failed"

    # A slug the curriculum does not know is asked of the authoring service; none runs beside
    # this execution process, so the answer is "unavailable", never a guess.
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await submit(stub, "no-such-challenge", "print(1)")
    assert err.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "authoring" in (err.value.details() or "")


@pytest.mark.asyncio(loop_scope="module")
async def test_practice_run_sees_the_challenge_data_and_is_not_graded(
    service: tuple[pb_grpc.ExecutionServiceStub, Path],
) -> None:
    stub, _ = service
    challenge = CHALLENGES[0]
    # The reference solution would pass if graded: practice must still carry no grade.
    run = await submit(stub, challenge.slug, challenge.solution, practice=True)
    assert run.status == "ok", run.stderr[-2000:]
    assert run.practice and run.challenge_slug == challenge.slug
    assert not run.HasField("grade") and not run.grade.status

    probe = await submit(stub, challenge.slug, LEAK_PROBE.format(paths=[]), practice=True)
    assert "DATA: ['test_features.csv', 'train.csv']" in probe.stdout
    assert "LEAK:" not in probe.stdout

    # Practice needs a challenge: on its own it is a caller bug, refused clearly.
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.Execute(
            pb.ExecuteRequest(run_id=str(uuid.uuid4()), code="print(1)", practice=True)
        ).read()
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


# Issue 17, reproduction 1, exactly as it was found and for every kind of data: rebuild the
# data the challenge came from inside the run (scikit-learn's bundled loader, its generator
# with the curriculum's public seed, or Ascent's own generator pasted in with that seed),
# match each test row to its nearest row there (as is, or with every column standardised,
# which undoes any per-column scale and offset) and submit that row's target.
REBUILD_ATTACK = """
import json
import ascent_report
import numpy as np, pandas as pd
from sklearn import datasets
kind, name, params, seed = {kind!r}, {name!r}, {params!r}, {seed!r}
target, standardise = {target!r}, {standardise!r}
if kind == "ascent":
    exec({generator!r})
    frame = GENERATOR(np.random.default_rng(seed), **params)
elif name.startswith("load_"):
    bunch = getattr(datasets, name)(**params)
    frame = pd.DataFrame(np.asarray(bunch.data, dtype=float))
    frame[target] = np.asarray(bunch.target)
else:
    X, y = getattr(datasets, name)(random_state=seed, **params)[:2]
    frame = pd.DataFrame(np.asarray(X, dtype=float))
    frame[target] = np.asarray(y)
test = pd.read_csv("/data/test_features.csv")
y = frame[target].to_numpy()
source = frame.drop(columns=[target])
if kind == "ascent":
    source = source[[c for c in test.columns if c in source.columns]]
else:
    source.columns = test.columns[: source.shape[1]]
def numeric(part, whole):
    out = []
    for column in part.columns:
        values = part[column]
        if not pd.api.types.is_numeric_dtype(values):
            known = sorted(whole[column].dropna().astype(str).unique())
            codes = {{v: i for i, v in enumerate(known)}}
            values = values.astype(str).map(codes)
        out.append(pd.to_numeric(values, errors="coerce").to_numpy(dtype=float))
    return np.nan_to_num(np.column_stack(out))
def nearest(source, y):
    both = pd.concat([source, test[source.columns]])
    A, B = numeric(source, both), numeric(test[source.columns], both)
    exact = int(sum(((A - row) ** 2).sum(axis=1).min() < 1e-9 for row in B))
    if standardise:
        A = (A - A.mean(axis=0)) / np.where(A.std(axis=0) > 0, A.std(axis=0), 1)
        B = (B - B.mean(axis=0)) / np.where(B.std(axis=0) > 0, B.std(axis=0), 1)
    guesses = [y[int(((A - row) ** 2).sum(axis=1).argmin())] for row in B]
    return exact, [g.item() if hasattr(g, "item") else g for g in guesses]
exact, guesses = nearest(source, y)
# The same rule on the challenge's own training rows: what it is worth without a rebuild.
train = pd.read_csv("/data/train.csv")
_, honest = nearest(train[source.columns], train[target].to_numpy())
print("EXACT", exact, "of", len(test))
print("HONEST", json.dumps(honest))
ascent_report.predictions(guesses)
"""


def generator_source(name: str) -> str:
    """Ascent's generator as a learner could paste it from the repository."""
    from services.common import challenge_data

    function = challenge_data.GENERATORS[name]
    constants = "".join(
        f"{name} = {getattr(challenge_data, name)!r}\n"
        for name in ("_TICKET_WORDS", "_FILLER", "REGIONS")
    )
    return f"{constants}{inspect.getsource(function)}\nGENERATOR = {function.__name__}\n"


# Issue 17, reproduction 1: the attack runs on EVERY challenge of the curriculum, both ways.
@pytest.mark.parametrize("standardise", [False, True], ids=["raw", "standardised"])
@pytest.mark.parametrize("challenge", CHALLENGES, ids=lambda c: c.slug)
@pytest.mark.asyncio(loop_scope="module")
async def test_rebuilding_the_labels_from_the_source_data_does_not_pass(
    service: tuple[pb_grpc.ExecutionServiceStub, Path], challenge: ChallengeSpec, standardise: bool
) -> None:
    stub, data_dir = service
    assert challenge.dataset is not None
    kind, _, name = challenge.dataset.source.partition(":")
    code = REBUILD_ATTACK.format(
        kind=kind,
        name=name,
        params=challenge.dataset.params,
        seed=challenge.dataset.seed,
        target=challenge.target,
        standardise=standardise,
        generator=generator_source(name) if kind == "ascent" else "",
    )
    attack = await submit(stub, challenge.slug, code)
    assert attack.status == "ok", attack.stderr[-2000:]
    exact = int(attack.stdout.split("EXACT ")[1].split()[0])
    rows = int(attack.stdout.split(" of ")[1].split()[0])
    # Hardly a test row is a row of the rebuilt data (a calendar's dates and a 0/1 promo
    # flag, all the forecast's features, repeat in any data of the same shape)...
    assert exact <= 0.8 * rows if challenge.slug == "sales-forecast" else exact == 0
    grade = attack.grade
    assert grade.status == "graded", grade.message
    if kind == "sklearn":
        # ...and the nearest rows' targets do not pass, publicly or privately.
        assert not grade.passed, (grade.public_score, challenge.pass_threshold)
        assert not meets(challenge.metric, grade.private_score, challenge.pass_threshold)
        return
    # Ascent's generators, run as written on the public seed, still simulate the same kind
    # of process: learning from that simulation is a nearest-neighbour model, and it must
    # win nothing that the same rule fitted on the challenge's own training rows does not.
    honest = json.loads(attack.stdout.split("HONEST ")[1].splitlines()[0])
    files = next(p for p in (data_dir / "challenges").glob(f"{challenge.slug}-*"))
    public = set(json.loads((files / "public_rows.json").read_text()))
    private = grade_predictions(
        [p for i, p in enumerate(honest) if i not in public],
        str(files / "labels_private.csv"),
        challenge.grader_metric,
    )
    if grade.passed or meets(challenge.metric, grade.private_score, challenge.pass_threshold):
        tolerance = 0.05 * max(1.0, abs(challenge.pass_threshold))
        gain = (
            private - grade.private_score
            if challenge.lower_is_better
            else (grade.private_score - private)
        )
        assert gain <= tolerance, (grade.private_score, private)
