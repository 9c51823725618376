"""Every query of the progress service."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.progress.models import (
    AcceptedProposal,
    ActiveDay,
    Badge,
    Challenge,
    ChallengeBest,
    ChallengePass,
    DeployedModel,
    DeployedVersion,
    DriftAlertSeen,
    Explanation,
    ExplanationVote,
    LearnerBadge,
    LearnerProgress,
    PitfallSighting,
    RunFingerprint,
    RunSeen,
    Track,
    TrackUnlock,
    XpEntry,
)


class CatalogRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def track(self, slug: str) -> Track | None:
        return self.session.get(Track, slug)

    def challenge(self, slug: str) -> Challenge | None:
        return self.session.get(Challenge, slug)

    def badge(self, slug: str) -> Badge | None:
        return self.session.get(Badge, slug)

    def add(self, row: Track | Challenge | Badge) -> None:
        self.session.add(row)

    def flush(self) -> None:
        self.session.flush()

    def tracks(self) -> list[Track]:
        return list(self.session.scalars(select(Track).order_by(Track.position, Track.slug)))

    def challenges(self) -> list[Challenge]:
        """The challenges learners see: archived authored ones are left out."""
        stmt = (
            select(Challenge)
            .where(Challenge.archived.is_not(True))
            .order_by(Challenge.track_slug, Challenge.position, Challenge.slug)
        )
        return list(self.session.scalars(stmt))

    def badges(self) -> list[Badge]:
        return list(self.session.scalars(select(Badge).order_by(Badge.slug)))

    def delete_curriculum_challenges_except(self, keep: Iterable[str]) -> None:
        self.session.execute(
            delete(Challenge).where(
                Challenge.source == "curriculum", Challenge.slug.not_in(list(keep))
            )
        )

    def delete_curriculum_tracks_except(self, keep: Iterable[str]) -> None:
        self.session.execute(
            delete(Track).where(Track.source == "curriculum", Track.slug.not_in(list(keep)))
        )

    def delete_badges_except(self, keep: Iterable[str]) -> None:
        self.session.execute(delete(Badge).where(Badge.slug.not_in(list(keep))))


class LearnerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def learner(self, learner_id: str) -> LearnerProgress | None:
        return self.session.get(LearnerProgress, learner_id)

    def add_learner(self, learner: LearnerProgress) -> None:
        self.session.add(learner)
        self.session.flush()

    def run_seen(self, run_id: str) -> bool:
        return self.session.get(RunSeen, run_id) is not None

    def add_run(self, run: RunSeen) -> None:
        self.session.add(run)

    def has_fingerprint(self, learner_id: str, fingerprint: str) -> bool:
        return self.session.get(RunFingerprint, (learner_id, fingerprint)) is not None

    def add_fingerprint(self, row: RunFingerprint) -> None:
        self.session.add(row)
        # Flushed now: a second run of the same code in this transaction must see it.
        self.session.flush()

    def add_xp(self, entry: XpEntry) -> None:
        self.session.add(entry)

    def history(self, learner_id: str, limit: int) -> list[XpEntry]:
        stmt = (
            select(XpEntry)
            .where(XpEntry.learner_id == learner_id)
            .order_by(XpEntry.created_at.desc(), XpEntry.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def accepted_proposal(self, proposal_id: str) -> AcceptedProposal | None:
        return self.session.get(AcceptedProposal, proposal_id)

    def add_accepted_proposal(self, record: AcceptedProposal) -> None:
        self.session.add(record)
        self.session.flush()

    def accepted_proposals(self, learner_id: str) -> int:
        stmt = select(func.count()).where(AcceptedProposal.learner_id == learner_id)
        return int(self.session.scalar(stmt) or 0)

    # -- deployments (issue 16) --
    def deployed_model(self, deployment_id: str) -> DeployedModel | None:
        return self.session.get(DeployedModel, deployment_id)

    def add_deployed_model(self, record: DeployedModel) -> None:
        self.session.add(record)
        self.session.flush()

    def deployed_models(self, learner_id: str) -> int:
        stmt = select(func.count()).where(DeployedModel.learner_id == learner_id)
        return int(self.session.scalar(stmt) or 0)

    def deployed_version(self, deployment_id: str, version: int) -> DeployedVersion | None:
        return self.session.get(DeployedVersion, (deployment_id, version))

    def add_deployed_version(self, record: DeployedVersion) -> None:
        self.session.add(record)
        self.session.flush()

    def deployed_versions(self, learner_id: str) -> list[DeployedVersion]:
        stmt = (
            select(DeployedVersion)
            .where(DeployedVersion.learner_id == learner_id)
            .order_by(DeployedVersion.deployment_id, DeployedVersion.version)
        )
        return list(self.session.scalars(stmt))

    def drift_alert(self, deployment_id: str, version: int, feature: str) -> DriftAlertSeen | None:
        return self.session.get(DriftAlertSeen, (deployment_id, version, feature))

    def add_drift_alert(self, record: DriftAlertSeen) -> None:
        self.session.add(record)
        self.session.flush()

    def drift_alerted_deployments(self, learner_id: str) -> int:
        stmt = select(func.count(func.distinct(DriftAlertSeen.deployment_id))).where(
            DriftAlertSeen.learner_id == learner_id
        )
        return int(self.session.scalar(stmt) or 0)

    def badge_slugs(self, learner_id: str) -> set[str]:
        stmt = select(LearnerBadge.badge_slug).where(LearnerBadge.learner_id == learner_id)
        return set(self.session.scalars(stmt))

    def add_badge(self, award: LearnerBadge) -> None:
        self.session.add(award)
        self.session.flush()

    def badges_with_details(self, learner_id: str) -> list[tuple[LearnerBadge, Badge | None]]:
        stmt = (
            select(LearnerBadge, Badge)
            .outerjoin(Badge, Badge.slug == LearnerBadge.badge_slug)
            .where(LearnerBadge.learner_id == learner_id)
            .order_by(LearnerBadge.awarded_at, LearnerBadge.badge_slug)
        )
        return [(row[0], row[1]) for row in self.session.execute(stmt)]

    def add_pass(self, record: ChallengePass) -> None:
        self.session.add(record)
        self.session.flush()

    def has_pass(self, learner_id: str, challenge_slug: str) -> bool:
        return self.session.get(ChallengePass, (learner_id, challenge_slug)) is not None

    def passes_by_track(self, learner_id: str) -> dict[str, int]:
        """Distinct passed challenges per track (passes of removed challenges do not count)."""
        stmt = (
            select(Challenge.track_slug, func.count(ChallengePass.challenge_slug))
            .join(Challenge, Challenge.slug == ChallengePass.challenge_slug)
            .where(ChallengePass.learner_id == learner_id)
            .group_by(Challenge.track_slug)
        )
        return {track: int(count) for track, count in self.session.execute(stmt)}

    def passed_slugs(self, learner_id: str) -> list[str]:
        stmt = select(ChallengePass.challenge_slug).where(ChallengePass.learner_id == learner_id)
        return list(self.session.scalars(stmt))

    def passes(self, learner_id: str) -> list[ChallengePass]:
        stmt = select(ChallengePass).where(ChallengePass.learner_id == learner_id)
        return list(self.session.scalars(stmt))

    def best(self, learner_id: str, challenge_slug: str) -> ChallengeBest | None:
        return self.session.get(ChallengeBest, (learner_id, challenge_slug))

    def bests(self, learner_id: str) -> list[ChallengeBest]:
        stmt = (
            select(ChallengeBest)
            .where(ChallengeBest.learner_id == learner_id)
            .order_by(ChallengeBest.challenge_slug)
        )
        return list(self.session.scalars(stmt))

    def add_best(self, best: ChallengeBest) -> None:
        self.session.add(best)
        self.session.flush()

    def unlocked_tracks(self, learner_id: str) -> set[str]:
        stmt = select(TrackUnlock.track_slug).where(TrackUnlock.learner_id == learner_id)
        return set(self.session.scalars(stmt))

    def active_days(self, learner_id: str) -> list[str]:
        stmt = select(ActiveDay.day).where(ActiveDay.learner_id == learner_id)
        return list(self.session.scalars(stmt))

    def has_active_day(self, learner_id: str, day: str) -> bool:
        return self.session.get(ActiveDay, (learner_id, day)) is not None


# -- Learning by teaching (issue 17) --
class TeachingRepository:
    """Explanations, helpful votes and pitfall sightings."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def explanation(self, explanation_id: str) -> Explanation | None:
        return self.session.get(Explanation, explanation_id)

    def explanation_of(self, challenge_slug: str, author_id: str) -> Explanation | None:
        return self.session.scalars(
            select(Explanation).where(
                Explanation.challenge_slug == challenge_slug, Explanation.author_id == author_id
            )
        ).first()

    def explanations(self, challenge_slug: str, include_hidden: bool) -> list[Explanation]:
        """Validated first, then most helpful, then oldest (ties by id, so the order is total)."""
        query = select(Explanation).where(Explanation.challenge_slug == challenge_slug)
        if not include_hidden:
            query = query.where(Explanation.hidden.is_(False))
        query = query.order_by(
            Explanation.validated.desc(),
            Explanation.votes.desc(),
            Explanation.created_at,
            Explanation.id,
        )
        return list(self.session.scalars(query))

    def count_visible(self, challenge_slug: str) -> int:
        return int(
            self.session.scalar(
                select(func.count())
                .select_from(Explanation)
                .where(Explanation.challenge_slug == challenge_slug, Explanation.hidden.is_(False))
            )
            or 0
        )

    def validated_others(self, challenge_slug: str, keep_id: str) -> list[Explanation]:
        return list(
            self.session.scalars(
                select(Explanation).where(
                    Explanation.challenge_slug == challenge_slug,
                    Explanation.validated.is_(True),
                    Explanation.id != keep_id,
                )
            )
        )

    def add(self, row: Explanation | ExplanationVote | PitfallSighting) -> None:
        self.session.add(row)
        self.session.flush()

    def add_vote(self, vote: ExplanationVote) -> bool:
        """False when the same learner's simultaneous vote committed first (theirs stands)."""
        try:
            with self.session.begin_nested():
                self.session.add(vote)
        except IntegrityError:
            return False
        return True

    def vote(self, explanation_id: str, voter_id: str) -> ExplanationVote | None:
        return self.session.get(ExplanationVote, (explanation_id, voter_id))

    def delete_vote(self, vote: ExplanationVote) -> None:
        self.session.delete(vote)
        self.session.flush()

    def count_votes(self, explanation_id: str) -> int:
        return int(
            self.session.scalar(
                select(func.count())
                .select_from(ExplanationVote)
                .where(ExplanationVote.explanation_id == explanation_id)
            )
            or 0
        )

    def voted_ids(self, voter_id: str, explanation_ids: Iterable[str]) -> set[str]:
        ids = list(explanation_ids)
        if not ids:
            return set()
        return set(
            self.session.scalars(
                select(ExplanationVote.explanation_id).where(
                    ExplanationVote.voter_id == voter_id,
                    ExplanationVote.explanation_id.in_(ids),
                )
            )
        )

    def sighting(self, challenge_slug: str, kind: str, learner_id: str) -> PitfallSighting | None:
        return self.session.get(PitfallSighting, (challenge_slug, kind, learner_id))

    def pitfall_counts(self, challenge_slug: str, min_learners: int) -> list[tuple[str, int]]:
        """(kind, distinct learners) seen by at least `min_learners`, most learners first."""
        learners = func.count(PitfallSighting.learner_id)
        rows = self.session.execute(
            select(PitfallSighting.kind, learners)
            .where(PitfallSighting.challenge_slug == challenge_slug)
            .group_by(PitfallSighting.kind)
            .having(learners >= min_learners)
            .order_by(learners.desc(), PitfallSighting.kind)
        )
        return [(str(kind), int(count)) for kind, count in rows]
