"""The guided apps: /apps/<slug> pages and /api/apps/<slug>/… JSON (services/apps)."""
