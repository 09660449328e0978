"""A bare Flask endpoint doing the least a survey submission must do, as a yardstick for submit.py.

It parses the form, stores one row per answer (and one per submission, unique per key) in one
transaction with the raw driver, and answers 303. No templates, no validation, no scrubbing, no
ORM: whatever Klankbord's real endpoint costs on top of this is the price of its features.
``BARE_DATABASE`` is a SQLite file path or a PostgreSQL DSN.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading

from flask import Flask, redirect, request

app = Flask(__name__)
TARGET = os.environ.get("BARE_DATABASE", "")
_local = threading.local()

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS bare_response (key_hash VARCHAR(64) PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS bare_answer (key_hash VARCHAR(64), question VARCHAR(64), "
    "position INTEGER, value TEXT, PRIMARY KEY (key_hash, question, position))",
]


def _open(target: str):
    if target.startswith("postgres"):
        import psycopg

        return psycopg.connect(target)
    conn = sqlite3.connect(target, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def connect():
    if getattr(_local, "conn", None) is None:
        _local.conn = _open(TARGET)
    return _local.conn


def create_schema(target: str) -> None:
    conn = _open(target)
    for statement in SCHEMA:
        conn.execute(statement)
    conn.commit()
    conn.close()


@app.post("/submit")
def submit():
    form = request.form
    key_hash = hashlib.sha256(form.get("key", "").encode()).hexdigest()
    rows, positions = [], {}
    for name, value in form.items(multi=True):
        if name.startswith("a."):
            position = positions[name] = positions.get(name, -1) + 1
            rows.append((key_hash, name[2:], position, value))
    conn = connect()
    mark = "%s" if TARGET.startswith("postgres") else "?"
    try:  # one transaction
        conn.execute(f"INSERT INTO bare_response (key_hash) VALUES ({mark})", (key_hash,))
        conn.cursor().executemany(
            f"INSERT INTO bare_answer VALUES ({mark}, {mark}, {mark}, {mark})", rows
        )
        conn.commit()
    except Exception:
        conn.rollback()
        raise
    return redirect("/thanks", 303)
