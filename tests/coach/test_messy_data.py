"""Issue 13, item 16: identifier, date and free-text columns, through the real coach (gRPC,
with the real recommender's profile) and the real sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ascent.coach.v1 import coach_service_pb2 as pb

from services.coach.codegen import generate_code
from services.common.config import CommonSettings
from services.common.datasets import DatasetStore
from services.common.ml.pipelines import canonical_spec
from services.common.ml.scoring import ranking_score
from services.common.runtime import serve
from services.common.templates import STARTER_TEMPLATE
from services.execution.sandbox import SandboxPool
from services.recommender.config import Settings as RecommenderSettings
from services.recommender.main import setup as recommender_setup
from tests.coach.helpers import sandbox_run
from tests.coach.test_integration import coach_stub, running
from tests.support.messy import messy_csv
from tests.support.nats_server import NatsServer, free_port

pytestmark = pytest.mark.integration


@pytest.mark.asyncio(loop_scope="module")
async def test_ids_dropped_dates_split_text_vectorised_and_said_so(
    pool: SandboxPool, tmp_path: Path, nats_server: NatsServer
) -> None:
    recommender_port = free_port()
    common = CommonSettings(
        nats_url=nats_server.url,
        data_dir=tmp_path,
        recommender_addr=f"127.0.0.1:{recommender_port}",
    )
    sha = DatasetStore(common.datasets_dir).put(messy_csv(rows=2000))
    csv = DatasetStore(common.datasets_dir).existing_path(sha)
    # The learner's run: the seed's starter, which cannot read text columns.
    start = await sandbox_run(
        pool, STARTER_TEMPLATE, csv, owner_id="learner-1", dataset_sha256=sha, name="Starter"
    )
    assert start.has_error and start.error.type == "ValueError"
    settings = RecommenderSettings(grpc_port=recommender_port, explore=0.0)
    async with (
        running(
            "recommender",
            lambda stop: serve(
                "recommender",
                settings,
                recommender_setup,
                "services.recommender.migrations",
                common,
                stop,
            ),
        ),
        coach_stub(common) as coach,
    ):
        response = await coach.Improve(pb.ImproveRequest(run=start), timeout=60)
    code = response.improved_experiment.code
    assert "id_columns = [c for c in ['customer_id'] if c in X.columns]" in code
    assert "date_columns = [c for c in ['signup_date'] if c in X.columns]" in code
    assert "text_columns = [c for c in ['review'] if c in X.columns]" in code
    assert "TfidfVectorizer(" in code
    diagnosis = response.diagnosis
    assert "customer_id is an identifier" in diagnosis
    assert "signup_date holds dates" in diagnosis and "review is free text" in diagnosis
    assert "the proposal drops the identifiers" in diagnosis
    assert "splits the dates into year, month and weekday" in diagnosis
    assert "TF-IDF" in diagnosis
    assert "Date parts" in response.improved_experiment.name
    assert "TF-IDF" in response.improved_experiment.name

    improved = await sandbox_run(pool, code, csv)
    assert not improved.has_error, improved.stderr[-2000:]
    info = json.loads(improved.outcome.dataset_info_json)
    assert "customer_id" not in info["features"] and "signup_date" not in info["features"]
    assert {"signup_date_year", "signup_date_month", "signup_date_weekday"} <= set(info["features"])
    # The baseline: the very same pipeline with every text column one-hot encoded.
    spec = canonical_spec(json.loads(improved.outcome.pipeline_json))
    baseline = await sandbox_run(pool, generate_code(spec, "classification", "one-hot"), csv)
    assert not baseline.has_error, baseline.stderr[-2000:]
    ours, theirs = ranking_score(improved.outcome), ranking_score(baseline.outcome)
    assert ours is not None and theirs is not None
    assert ours.value > theirs.value + 0.15, (ours, theirs)
