"""The curriculum loader lives in `services.common.curriculum` (execution grades against the
same files); re-exported here for the progress service's own imports."""

from services.common.curriculum import (
    BadgeSpec,
    Catalog,
    ChallengeSpec,
    CurriculumError,
    DatasetSpec,
    TrackSpec,
    UnlockRule,
    load_catalog,
)

__all__ = [
    "BadgeSpec",
    "Catalog",
    "ChallengeSpec",
    "CurriculumError",
    "DatasetSpec",
    "TrackSpec",
    "UnlockRule",
    "load_catalog",
]
