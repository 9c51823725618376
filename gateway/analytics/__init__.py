"""Instructor dashboards and the admin platform view (computed by the analytics service)."""
