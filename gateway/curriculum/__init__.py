"""Curriculum: tracks, challenges, practice runs and graded submissions, challenge boards,
the learner profile and progress, and the next-challenge recommendation."""
