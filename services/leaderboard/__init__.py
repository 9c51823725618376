"""Leaderboard service: the run ledger and per-session rankings."""
