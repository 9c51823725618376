"""AutoML trials → observations (issue 15). Every trial of a completed AutoML Trainer search
(`apps.automl.trial.v1`) is a pipeline the platform's own program cross-validated on the
dataset: a trusted outcome, recorded like a scored run, exactly once per trial.

Kept apart from the other consumers (handlers.py): it is the AutoML app's evidence only."""

from __future__ import annotations

import asyncio
import json
import logging
import math

from ascent.events.v1 import apps_pb2
from google.protobuf.message import Message

from services.common.db import Database
from services.common.errors import AscentError
from services.common.outbox import process_once
from services.recommender import trust
from services.recommender.flows import ensure_profile
from services.recommender.service import RecommenderService, ScoredRun

log = logging.getLogger(__name__)

AUTOML_CONSUMER = "recommender-automl"
METRICS = ("accuracy", "r2")


def trial_run_id(event: apps_pb2.AutomlTrial) -> str:
    """The observation's unique id: one per (analysis, trial)."""
    return f"automl:{event.analysis_id}:{event.number}"


def scored_trial(event: apps_pb2.AutomlTrial) -> ScoredRun | None:
    """What the knowledge base learns from a trial, or None: ensembles (not a pipeline the
    recommender can suggest back), unknown metrics and non-finite scores teach nothing."""
    if event.ensemble or event.metric not in METRICS or not math.isfinite(event.score):
        return None
    if not event.analysis_id or not event.dataset_sha256:
        return None
    try:
        spec = json.loads(event.pipeline_json)
    except ValueError:
        return None
    if not isinstance(spec, dict) or not isinstance(spec.get("estimator"), str):
        return None
    return ScoredRun(
        trial_run_id(event),
        spec,
        event.metric,
        event.score,
        event.duration_ms,
        event.owner_id,
        trust.AUTOML,
    )


class AutomlTrialsHandler:
    def __init__(self, db: Database, service: RecommenderService) -> None:
        self.db = db
        self.service = service

    async def __call__(self, subject: str, event: Message) -> None:
        assert isinstance(event, apps_pb2.AutomlTrial)
        await asyncio.to_thread(self.record, subject, event)

    def record(self, subject: str, event: apps_pb2.AutomlTrial) -> bool:
        """True when the trial added an observation."""
        scored = scored_trial(event)
        if scored is None:
            return False
        try:
            meta = ensure_profile(self.db, self.service, event.dataset_sha256)
        except AscentError as err:
            log.info(
                "automl trial skipped: dataset unavailable",
                extra={"analysis_id": event.analysis_id, "reason": err.message},
            )
            return False
        applied, added = process_once(
            self.db,
            AUTOML_CONSUMER,
            subject,
            event.meta.event_id,
            lambda session: self.service.record_run(session, scored, meta),
        )
        return bool(applied and added)
