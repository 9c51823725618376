"""Ordered schema migrations of the gateway (applied by `Database.migrate`)."""
