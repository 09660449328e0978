"""The engine is a pure library: importing it loads neither Flask nor SQLAlchemy."""

import json
import os
import subprocess
import sys
from pathlib import Path

PLATFORM = Path(__file__).resolve().parents[2] / "platform"


def test_import_in_bare_interpreter_pulls_no_web_stack():
    code = (
        "import json, sys\n"
        "import klankbord.analysis as a\n"
        "print(json.dumps({'mods': sorted(sys.modules), 'all': a.__all__}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK", "KLANKBORD"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PLATFORM), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    out = json.loads(proc.stdout)
    mods = set(out["mods"])
    assert "flask" not in mods
    assert "sqlalchemy" not in mods
    assert not any(m.startswith(("flask.", "sqlalchemy.", "flask_")) for m in mods)
    for name in ("FeedbackClusterer", "Theme", "scrub", "guess_language", "normalise"):
        assert name in out["all"]
