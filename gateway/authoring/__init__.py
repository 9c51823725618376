"""Instructor challenge authoring: a thin, role-checked proxy to the authoring service."""
