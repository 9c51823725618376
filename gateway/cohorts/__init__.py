"""Cohorts: an instructor's class, its join code, members, assignments and cohort boards."""
