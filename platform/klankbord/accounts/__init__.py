"""Organisations, locations, users, memberships, login and audit."""
