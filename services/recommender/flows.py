"""Multi-step work spanning units of work, shared by the gRPC and event adapters."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from services.common.db import Database
from services.common.ml.metafeatures import MetaFeatures
from services.recommender.service import RecommenderService


def ensure_profile(db: Database, service: RecommenderService, dataset_sha256: str) -> MetaFeatures:
    """The cached meta-features, computing and caching them on first use.

    The CSV is read outside any transaction so a large file never holds a database lock.
    """
    key = service.dataset_key(dataset_sha256)
    with db.session() as session:
        cached = service.cached_profile(session, key)
    if cached is not None:
        return cached
    meta = service.compute_profile(key)
    try:
        with db.session() as session:
            service.store_profile(session, meta)
    except IntegrityError:
        # Another request profiled the same content first; its row is identical.
        pass
    return meta
