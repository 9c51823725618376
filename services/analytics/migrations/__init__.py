"""Ordered schema migrations of the analytics service."""
