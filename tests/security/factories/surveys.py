"""Objects of the surveys domain for the security matrices: deployments and their public codes."""

from __future__ import annotations

from pathlib import Path

from tests.security.factories import object_factory

#: The small test survey of the surveys domain (every question type, nl/en/ar, with audio).
PROEF = Path(__file__).resolve().parents[2] / "surveys" / "data" / "flow" / "proef.yaml"


def _deployment(ctx):
    """An open deployment of the small test survey 'proef' in ctx.org (made once per URL)."""
    from datetime import timedelta

    from klankbord.core import time as clock
    from klankbord.extensions import db
    from klankbord.surveys import services
    from klankbord.surveys.definitions import load_definition

    (result,) = services.store_versions([load_definition(PROEF)])
    location = ctx.make.location(ctx.org)
    now = clock.utcnow().replace(microsecond=0)
    deployment = services.create_deployment(
        ctx.org, result.version, [location], now - timedelta(hours=1), now + timedelta(days=7)
    )
    db.session.flush()
    return deployment


@object_factory("deployment_id", blueprint="surveys")
def deployment_id(ctx):
    return _deployment(ctx).id


@object_factory("code", blueprint="respond")
def deployment_code(ctx):
    return _deployment(ctx).code


@object_factory("filename", blueprint="respond")
def recording(ctx):
    """A recording named in 'proef' (served from the survey's directory)."""
    from flask import current_app

    current_app.config["SURVEYS_DIR"] = str(PROEF.parent)
    return "audio/proef/nl/kitchen.mp3"


@object_factory("clip_id", blueprint="surveys")
def clip_id(ctx):
    """A recording of the first question of 'proef' in Dutch, of ctx.org."""
    import hashlib

    from klankbord.surveys import audio, clips
    from klankbord.surveys.definitions import load_definition

    defn = load_definition(PROEF)
    _deployment(ctx)  # stores the version too
    data = b"\x1aE\xdf\xa3 a clip"
    clip = audio.Clip(data, audio.MIME, 1000, hashlib.sha256(data).hexdigest())
    return clips.save_clip(ctx.org, defn, defn.questions[0].id, "nl", clip).id
