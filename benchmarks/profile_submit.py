"""CPU per survey submission, in-process: the steady figure behind benchmarks/submit.py (issue 3).

Posts complete "koken" submissions through Flask's test client to a temporary SQLite database,
with rate limits off, and prints the CPU milliseconds per request (best of a few rounds, without
a profiler attached), then a cProfile of one more round sorted by cumulative time.

    .venv/bin/python benchmarks/profile_submit.py            # figure + profile
    .venv/bin/python benchmarks/profile_submit.py --no-profile
"""

from __future__ import annotations

import cProfile
import pstats
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _kit  # noqa: E402

PER_ROUND = 300
ROUNDS = 3


def main() -> None:
    from werkzeug.datastructures import MultiDict

    tmp = Path(tempfile.mkdtemp())
    with _kit.temporary_database("sqlite", tmp) as url:
        app = _kit.make_app(url, secrets.token_hex(32), tmp)
        seeded = _kit.seed(app, with_meeting=False)
        answers = _kit.AnswerMaker(app, seeded.survey_id)
        tokens = _kit.Tokens(app)
        client = app.test_client()
        path = f"/s/{seeded.survey_code}/nl/submit"

        def bodies(count: int) -> list[MultiDict]:
            made = []
            for i in range(count):
                fields, _rows = answers.make(i)
                made.append(MultiDict([*tokens.state(seeded.survey_code).items(), *fields]))
            return made

        def post_all(batch: list[MultiDict]) -> None:
            for body in batch:
                status = client.post(path, data=body).status_code
                if status != 303:
                    raise SystemExit(f"unexpected status {status}")

        post_all(bodies(20))  # warm up: imports, caches, templates
        best = float("inf")
        for _ in range(ROUNDS):
            batch = bodies(PER_ROUND)
            started = time.process_time()
            post_all(batch)
            best = min(best, (time.process_time() - started) / PER_ROUND * 1000)
        print(f"CPU per submission: {best:.2f} ms (best of {ROUNDS} x {PER_ROUND}, no profiler)")

        if "--no-profile" in sys.argv[1:]:
            return
        batch = bodies(PER_ROUND)
        profile = cProfile.Profile()
        profile.enable()
        post_all(batch)
        profile.disable()
        order = "tottime" if "--tottime" in sys.argv[1:] else "cumulative"
        pstats.Stats(profile).sort_stats(order).print_stats(40)


if __name__ == "__main__":
    main()
