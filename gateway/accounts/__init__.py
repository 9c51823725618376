"""Accounts: users, passwords, API tokens, login/register/logout, `/api/me`, display names."""
