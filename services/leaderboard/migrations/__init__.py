"""Ordered schema migrations of the leaderboard service."""
