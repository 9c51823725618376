"""Progress service: curriculum catalog, learner XP, levels, badges and unlocks."""
