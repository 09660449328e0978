"""Configuration: defaults, then instance/config.py, then KLANKBORD_* environment, then
overrides."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from klankbord.core.languages import LANGUAGES, STAFF_LANGUAGES

REPO_ROOT = Path(__file__).resolve().parents[2]
DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says what to change."""


class DefaultConfig:
    """Defaults that are safe for development and strict where it matters."""

    SECRET_KEY = DEV_SECRET_KEY
    #: Relative SQLite paths are resolved against the instance folder by Flask-SQLAlchemy.
    SQLALCHEMY_DATABASE_URI = "sqlite:///klankbord.sqlite"
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
    ENV_NAME = "development"  # "production" turns on the strict checks
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "klankbord_session"
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=30)
    IDLE_TIMEOUT_MINUTES = 30
    #: A staff session ends this many hours after login, however active it is.
    SESSION_MAX_HOURS = 12
    #: Role changes, erasure and member export need the password typed within these minutes.
    REAUTH_MINUTES = 5
    #: Wrong second-factor codes in a row before the second factor locks, and for how long.
    TOTP_MAX_FAILURES = 5
    TOTP_LOCK_MINUTES = 15
    WTF_CSRF_TIME_LIMIT = 3600
    MAX_CONTENT_LENGTH = 256 * 1024
    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    STAFF_LOCALES = STAFF_LANGUAGES
    RESPONDENT_LOCALES = LANGUAGES
    LOGIN_MAX_FAILURES = 10
    LOGIN_LOCK_MINUTES = 15
    INVITE_VALID_DAYS = 7
    #: Argon2id cost; tests lower it to stay fast.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    MIN_GROUP_SIZE = 10
    #: Most themes the automatic choice gives a report (a fixed number of themes ignores it).
    REPORT_MAX_THEMES = 15
    #: Multilingual embeddings for themes: "auto" (when installed), "on" (required) or "off".
    ANALYSIS_EMBEDDINGS = "auto"
    RATELIMIT_STORAGE_URI = "memory://"  # redis://127.0.0.1:6379/0 shares counts between workers
    RATELIMIT_ENABLED = True
    #: endpoint -> limit overrides of core.ratelimit.DEFAULT_RATE_LIMITS ("" switches one off).
    RATE_LIMITS: dict[str, str] = {}
    #: Number of reverse proxies in front of the app whose X-Forwarded-For is trusted (0: none).
    PROXY_FIX_X_FOR = 0
    SURVEYS_DIR = str(REPO_ROOT / "surveys")
    PREFERRED_URL_SCHEME = "http"


def instance_path_from_env(overrides: dict[str, Any] | None = None) -> str:
    """Resolve the instance folder explicitly (Flask would guess platform/instance)."""
    path = (overrides or {}).get("INSTANCE_PATH") or os.environ.get("KLANKBORD_INSTANCE")
    resolved = Path(path) if path else REPO_ROOT / "instance"
    resolved.mkdir(parents=True, exist_ok=True)
    return str(resolved.resolve())


def load_config(app: Flask, overrides: dict[str, Any] | None = None) -> None:
    """Layer the configuration and refuse unsafe production settings."""
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("KLANKBORD")
    # Friendly aliases for the documented variables.
    if "DATABASE_URL" in app.config:
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    if overrides:
        app.config.update(overrides)
        if "DATABASE_URL" in overrides:
            app.config["SQLALCHEMY_DATABASE_URI"] = overrides["DATABASE_URL"]
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    apply_engine_defaults(app)
    if app.config.get("ENV_NAME") == "production":
        check_production(app.config)


def normalise_database_url(url: str) -> str:
    """Accept postgres:// and postgresql:// and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def apply_engine_defaults(app: Flask) -> None:
    """SQLite waits for locks instead of failing at once; PostgreSQL checks connections."""
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("timeout", 30)
        options["connect_args"] = connect_args
    else:
        options.setdefault("pool_pre_ping", True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def config_problems(config: Any) -> list[str]:
    """List what is wrong with a configuration, in plain words."""
    problems = []
    key = config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or len(key) < 32:
        problems.append(
            "KLANKBORD_SECRET_KEY must be set to a random value of at least 32 characters "
            "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("KLANKBORD_SESSION_COOKIE_SECURE should be true behind HTTPS.")
    return problems


def check_production(config: Any) -> None:
    """Refuse to start in production without a real secret key."""
    problems = [p for p in config_problems(config) if "SECRET_KEY" in p]
    if problems:
        raise ConfigError("Klankbord will not start in production: " + " ".join(problems))
