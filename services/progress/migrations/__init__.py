"""Ordered schema migrations of the progress service."""
