"""Liveness and database check for load balancers and monitoring."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from klankbord.core.access import public_endpoint
from klankbord.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public_endpoint
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        return jsonify({"status": "ok", "database": "ok"})
    except Exception:  # any driver error means the database does not answer
        current_app.logger.warning("Health check: database does not answer")
        db.session.rollback()
        return jsonify({"status": "error", "database": "error"}), 503
