"""Scale test (``make scale-test``): two app nodes behind nginx on one PostgreSQL and one Redis.

Usage::

    .venv/bin/python benchmarks/scale.py                   # 20,000 submissions, < 15 minutes
    .venv/bin/python benchmarks/scale.py --total 2000 --compare 400   # a short try

Everything runs on 127.0.0.1 and is stopped at the end:

* nginx from Debian's packages (``apt-get install nginx`` when missing, as root; it says so), with
  the proxy configuration of ``deploy/nginx/`` (the same files a hosting party uses): one port in
  front of both nodes, one in front of node 1 only (for the throughput comparison);
* two app nodes: gunicorn (``klankbord.gunicorn_conf``, ``--workers`` each) on their own ports,
  each with its own instance folder, sharing only the secret key, the database and Redis;
* one ``klankbord scheduler`` per node, every job scheduled each minute, racing for the leases;
* a fresh PostgreSQL database ``klankbord_scale`` on ``KLANKBORD_BENCH_PG`` (dropped first if a
  previous run left it, upgraded with the migrations, dropped at the end);
* Redis on 127.0.0.1:6379 (started here when it does not answer), database 13, for rate limits.

Steps: (1) across nodes: a staff login on node 1 with a CSRF token from node 1 posted to node 2,
the session used on node 1 and 2; a forged CSRF token refused; the login rate limit (10 a
minute) counted across both nodes through Redis. (2) Throughput through the proxy with one node
and with two nodes, alternating in rounds. (3) ``--total`` submissions (load.py's mix: 75 %
surveys in 7 languages, 25 % meeting ideas) through the proxy; after 40 % node 1 is killed
(SIGKILL to its whole process group, workers included) and after 70 % scheduler 2. The client
sends a survey submission again (same key) after a 502/503/504; ideas are never resent. Then the
database is counted: every success stored once with all its answers; every job period between
the schedulers' start and the end run exactly once (the job_run table); bytes per response.

Results: ``benchmarks/results/scale.json`` and ``scale.md``. The machine is shared: compare the
figures within one run, not between runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _kit  # noqa: E402
import load  # noqa: E402

from klankbord.jobs.schedule import DEFAULT_SCHEDULES  # noqa: E402

DATABASE = "klankbord_scale"
REDIS_URL = "redis://127.0.0.1:6379/13"
#: Every scheduled job; the test runs each of them every minute.
JOBS = tuple(DEFAULT_SCHEDULES)
STAFF_EMAIL = "facilitator@schaal.example"
STAFF_PASSWORD = "schaal-test-wachtwoord-lang-genoeg"
#: Respondent routes are not rate limited in the test (all load comes from 127.0.0.1, one
#: "reception centre"); the staff login limit stays on and is checked across nodes.
UNLIMITED = ("respond.submit", "respond.step", "meetings_public.send_idea",
             "meetings_public.support", "meetings_public.answer")
TIME_LIMIT = 14 * 60


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


# --- processes -------------------------------------------------------------------------------

class Processes:
    """Every process this run started, in its own process group, stopped in reverse order."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.started: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str], env: dict | None = None) -> subprocess.Popen:
        out = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            command, env={**os.environ, **(env or {})}, cwd=_kit.REPO, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.started[name] = process
        return process

    def kill(self, name: str) -> None:
        """SIGKILL the process and all its children at once (a node that dies)."""
        os.killpg(self.started[name].pid, signal.SIGKILL)
        self.started[name].wait()

    def tail(self, name: str, chars: int = 2000) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def stop_all(self) -> None:
        for process in reversed(list(self.started.values())):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for process in self.started.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_for_port(port: int, processes: Processes, name: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if processes.started[name].poll() is not None:
            raise RuntimeError(f"{name} stopped:\n{processes.tail(name)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} did not open port {port}") from None
            time.sleep(0.2)


def ensure_nginx() -> str:
    """The nginx binary; installed from Debian's packages when missing (root only)."""
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and Path(candidate).exists():
            return candidate
    if os.geteuid() != 0:
        raise SystemExit("nginx is missing: install it with `apt-get install nginx` (as root).")
    log("nginx is missing: installing Debian's package `nginx` "
        "(apt-get install --no-install-recommends nginx; its service is not started)")
    # policy-rc.d 101 keeps the package from starting a system nginx on port 80.
    policy = Path("/usr/sbin/policy-rc.d")
    made = not policy.exists()
    if made:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "nginx"],
                       check=True, env=env, stdout=subprocess.DEVNULL)
    finally:
        if made:
            policy.unlink()
    return "/usr/sbin/nginx"


def ensure_redis(processes: Processes) -> str:
    """``started`` when this run had to start redis-server, else ``running``."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        return "running"
    except redis.exceptions.ConnectionError:
        pass
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("Redis does not answer on 127.0.0.1:6379 and redis-server is missing "
                         "(apt-get install redis-server).")
    log("starting redis-server on 127.0.0.1:6379 (no persistence)")
    processes.start("redis", [binary, "--bind", "127.0.0.1", "--port", "6379", "--save", "",
                              "--appendonly", "no"])
    wait_for_port(6379, processes, "redis", 30)
    return "started"


def nginx_config(tmp: Path, port_both: int, port_one: int, nodes: list[int]) -> Path:
    deploy = _kit.REPO / "deploy" / "nginx"
    servers = "\n".join(
        f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" for port in nodes
    )
    text = f"""
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    include {deploy}/klankbord-http.conf;
    upstream klankbord_two {{
{servers}
    }}
    upstream klankbord_one {{
        server 127.0.0.1:{nodes[0]};
    }}
    server {{
        listen 127.0.0.1:{port_both};
        set $klankbord_upstream klankbord_two;
        access_log {tmp}/access.log klankbord if=$klankbord_loggable;
        include {deploy}/klankbord-locations.conf;
    }}
    server {{
        listen 127.0.0.1:{port_one};
        set $klankbord_upstream klankbord_one;
        access_log {tmp}/access.log klankbord if=$klankbord_loggable;
        include {deploy}/klankbord-locations.conf;
    }}
}}
"""
    path = tmp / "nginx.conf"
    path.write_text(text)
    return path


# --- database --------------------------------------------------------------------------------

def create_database() -> str:
    import psycopg

    with psycopg.connect(_kit.PG_SERVER, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    base = _kit.PG_SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{DATABASE}"


def drop_database() -> None:
    import psycopg

    with psycopg.connect(_kit.PG_SERVER, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def add_staff(app) -> None:
    from klankbord.accounts import services as accounts
    from klankbord.accounts.models import Organisation
    from klankbord.extensions import db

    with app.app_context():
        org = db.session.query(Organisation).first()
        user = accounts.create_user(STAFF_EMAIL, "Facilitator", STAFF_PASSWORD, check_policy=False)
        accounts.set_membership(user, org, "facilitator")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def storage_figures(app) -> dict:
    """Bytes PostgreSQL uses per stored response (with answers) and per idea, indexes included."""
    from sqlalchemy import text

    from klankbord.extensions import db

    with app.app_context():
        def size(table: str) -> int:
            return db.session.execute(
                text("SELECT pg_total_relation_size(CAST(:t AS regclass))"), {"t": table}
            ).scalar_one()

        def count(table: str) -> int:
            return db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()

        responses, answers, ideas = (
            count("survey_response"), count("survey_answer"), count("meeting_idea")
        )
        response_bytes = size("survey_response") + size("survey_answer")
        idea_bytes = size("meeting_idea")
        database = db.session.execute(
            text("SELECT pg_database_size(current_database())")
        ).scalar_one()
        db.session.remove()
        db.engine.dispose()
    return {
        "responses": responses,
        "answers": answers,
        "ideas": ideas,
        "survey_tables_bytes": response_bytes,
        "bytes_per_response": round(response_bytes / responses) if responses else None,
        "answers_per_response": round(answers / responses, 2) if responses else None,
        "bytes_per_idea": round(idea_bytes / ideas) if ideas else None,
        "database_bytes": database,
    }


def proxy_failovers(error_log: str) -> dict[str, int]:
    """What nginx's error log (warn, test only) says about requests to the dead node, by kind.

    "in flight": the node died while handling the request (a survey submission is then passed to
    the other node, ``non_idempotent`` in deploy/nginx; an idea gets a 502 and the client sends
    it again); "refused": sent to the dead node's port before nginx left it alone, passed on.
    """
    counts: Counter = Counter()
    for line in error_log.splitlines():
        match = re.search(r'request: "(\w+) /(\w)/', line)
        # nginx adds a warn line "upstream server temporarily disabled" to every failed attempt
        # on a node at its max_fails: not a request of its own.
        if match is None or "upstream" not in line or "temporarily disabled" in line:
            continue
        kind = {"s": "survey", "m": "idea"}.get(match[2], "other")
        how = "refused" if "connect() failed" in line else "in flight"
        counts[f"{kind} {match[1]} {how}"] += 1
    return dict(sorted(counts.items()))


# --- checks across nodes ---------------------------------------------------------------------

def csrf_of(page: bytes) -> str:
    match = re.search(rb'name="csrf_token" value="([^"]+)"', page)
    return match.group(1).decode() if match else ""


def cookie_of(headers: dict, old: str = "") -> str:
    value = headers.get("Set-Cookie", "")
    return value.split(";", 1)[0] if value.startswith("klankbord_session=") else old


def across_nodes(node1: int, node2: int) -> dict:
    """Session, CSRF and the login rate limit with requests alternating between two nodes."""
    checks: dict[str, object] = {}
    status, page, headers = _kit.request(node1, "GET", "/login")
    cookie, token = cookie_of(headers), csrf_of(page)
    body = {"csrf_token": token, "email": STAFF_EMAIL, "password": STAFF_PASSWORD}
    # A forged token is refused (so the next check means something).
    forged = {**body, "csrf_token": token[:-4] + "AAAA"}
    status, _, _ = _kit.request(node2, "POST", "/login", forged, cookie)
    checks["forged_csrf_refused_on_node2"] = status == 400
    status, _, headers = _kit.request(node2, "POST", "/login", body, cookie)
    checks["csrf_from_node1_accepted_by_node2"] = status == 302 and "/login" not in headers.get(
        "Location", "/login")
    cookie = cookie_of(headers, cookie)
    seen = {}
    for name, port in (("node1", node1), ("node2", node2)):
        status, page, _ = _kit.request(port, "GET", "/meetings/", cookie=cookie)
        seen[name] = status
    checks["login_session_pages"] = seen
    checks["session_holds_on_both_nodes"] = seen == {"node1": 200, "node2": 200}
    status, _, _ = _kit.request(node1, "GET", "/meetings/")
    checks["without_session_redirected"] = status == 302
    # Login rate limit: 10 a minute per client address, counted in Redis by both nodes together.
    statuses = []
    for attempt in range(14):
        port = (node1, node2)[attempt % 2]
        status, page, headers = _kit.request(port, "GET", "/login")
        fresh_cookie, fresh_token = cookie_of(headers), csrf_of(page)
        status, _, _ = _kit.request(port, "POST", "/login", {
            "csrf_token": fresh_token, "email": f"niemand{attempt}@schaal.example",
            "password": "fout-wachtwoord",
        }, fresh_cookie)
        statuses.append(status)
    first_refusal = statuses.index(429) if 429 in statuses else None
    #: The successful login above was the first POST of this minute: 9 more are allowed.
    checks["login_posts_statuses"] = statuses
    checks["rate_limit_counted_across_nodes"] = first_refusal == 9
    return checks


# --- jobs ------------------------------------------------------------------------------------

def job_periods(app, since: datetime, until: datetime, scheduler_pids: dict[str, int]) -> dict:
    """Per job: successful runs per minute period in [since, until], skipped races, holders."""
    from sqlalchemy import select

    from klankbord.extensions import db
    from klankbord.jobs.models import JobRun

    with app.app_context():
        runs = db.session.execute(select(JobRun)).scalars().all()
        rows = [(r.job, r.period_key, r.outcome, r.holder or "", r.note or "", r.trigger)
                for r in runs]
        db.session.remove()
        db.engine.dispose()
    minutes = []
    moment = since.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while moment <= until:
        minutes.append(moment.strftime("%Y-%m-%dT%H:%MZ"))
        moment += timedelta(minutes=1)
    by_pid = {str(pid): name for name, pid in scheduler_pids.items()}
    result: dict[str, dict] = {}
    for job in JOBS:
        ok = Counter(p for j, p, outcome, *_ in rows if j == job and outcome == "ok")
        skipped = Counter(note for j, _, outcome, _, note, _ in rows
                          if j == job and outcome == "skipped")
        errors = sum(1 for j, _, outcome, *_ in rows if j == job and outcome == "error")
        ran_by = Counter(by_pid.get(holder.split(":")[1] if holder.count(":") >= 2 else "", "?")
                         for j, _, outcome, holder, *_ in rows if j == job and outcome == "ok")
        result[job] = {
            "periods": len(minutes),
            "exactly_once": sum(1 for m in minutes if ok[m] == 1),
            "missed": [m for m in minutes if ok[m] == 0],
            "more_than_once": [m for m in minutes if ok[m] > 1],
            "skipped": dict(skipped),
            "errors": errors,
            "ok_by_scheduler": dict(ran_by),
        }
    return result


# --- the run ---------------------------------------------------------------------------------

def run(args) -> dict:
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="klankbord-scale-"))
    tmp.chmod(0o755)  # nginx workers (not root) write their temporary files under it
    processes = Processes(tmp)
    nginx = ensure_nginx()
    result: dict = {"when": datetime.now(UTC).isoformat(timespec="seconds"),
                    "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
                               f"Python {platform.python_version()}",
                    "workers_per_node": args.workers, "clients": args.clients}
    secret = secrets.token_hex(32)
    url = create_database()
    try:
        result["redis"] = ensure_redis(processes)
        import redis

        store = redis.Redis.from_url(REDIS_URL)
        for key in store.scan_iter("klankbord*"):
            store.delete(key)
        every_minute = {job: "* * * * *" for job in JOBS}
        env = {
            "KLANKBORD_DATABASE_URL": url,
            "KLANKBORD_SECRET_KEY": secret,
            "KLANKBORD_ENV_NAME": "production",
            "KLANKBORD_RATELIMIT_STORAGE_URI": REDIS_URL,
            "KLANKBORD_RATE_LIMITS": json.dumps({name: "" for name in UNLIMITED}),
            "KLANKBORD_PROXY_FIX_X_FOR": "1",
            "KLANKBORD_JOB_SCHEDULES": json.dumps(every_minute),
            # A killed holder's lease must lapse before the next 1-minute period; a live job's
            # heartbeat renews it every third of it (17 s), however long the job runs.
            "KLANKBORD_JOB_LEASE_SECONDS": json.dumps({job: 50 for job in JOBS}),
            # No embedding model in the test: it would spend the 2 CPUs embedding 15,000 texts.
            "KLANKBORD_ANALYSIS_EMBEDDINGS": "off",
            "KLANKBORD_ACCESS_LOG": "",
            "KLANKBORD_SCHEDULER_TIMEZONE": "UTC",
        }
        binary = Path(sys.executable).parent / "klankbord"
        log(f"database {DATABASE}: klankbord db upgrade")
        upgrade = subprocess.run([str(binary), "db", "upgrade"], cwd=_kit.REPO, capture_output=True,
                                 text=True, env={**os.environ, **env,
                                                 "KLANKBORD_INSTANCE": str(tmp / "node1")})
        if upgrade.returncode:
            raise RuntimeError("db upgrade failed:\n" + upgrade.stderr[-3000:])
        app = _kit.make_app(url, secret, tmp / "seed")
        seeded = _kit.seed(app)
        add_staff(app)
        answers = _kit.AnswerMaker(app, seeded.survey_id)
        tokens = _kit.Tokens(app)

        ports = {"node1": _kit.free_port(), "node2": _kit.free_port()}
        for name, port in ports.items():
            node_env = {**env, "KLANKBORD_INSTANCE": str(tmp / name)}
            processes.start(name, [
                sys.executable, "-m", "gunicorn", "-c", "python:klankbord.gunicorn_conf",
                "--preload", "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
                "--log-level", "warning", "klankbord:create_app()",
            ], node_env)
            processes.start(f"scheduler{name[-1]}", [str(binary), "scheduler"], node_env)
        for name, port in ports.items():
            wait_for_port(port, processes, name)
        schedulers_since = datetime.now(UTC).replace(tzinfo=None)
        scheduler_pids = {name: processes.started[name].pid
                          for name in ("scheduler1", "scheduler2")}
        port_both, port_one = _kit.free_port(), _kit.free_port()
        config = nginx_config(tmp, port_both, port_one, list(ports.values()))
        tested = subprocess.run([nginx, "-t", "-c", str(config), "-p", str(tmp)],
                                capture_output=True, text=True)
        if tested.returncode:
            raise RuntimeError("nginx -t failed:\n" + tested.stderr)
        processes.start("nginx", [nginx, "-c", str(config), "-p", str(tmp)])
        wait_for_port(port_both, processes, "nginx", 30)
        log(f"nginx 127.0.0.1:{port_both} -> nodes {ports}; one-node port {port_one}")

        log("checks across nodes (session, CSRF, rate limit)")
        result["across_nodes"] = across_nodes(ports["node1"], ports["node2"])
        # Staff pages through the proxy, so its access log shows what it keeps.
        for path in ("/login", "/healthz", "/meetings/"):
            _kit.request(port_both, "GET", path)

        # Throughput: one node against two nodes through the same proxy, alternating rounds.
        all_traffic: list[load.Traffic] = []
        rounds: dict[str, list[float]] = defaultdict(list)
        per_round = max(1, args.compare // (2 * args.rounds))
        for r in range(args.rounds):
            for label, port in (("one node", port_one), ("two nodes", port_both)):
                traffic = load.drive(port, seeded, answers, tokens, per_round, args.clients,
                                     retries=0, label=f"r{r}{label[0:3]}-")
                all_traffic.append(traffic)
                ok = len(traffic.ok_keys) + len(traffic.ok_ideas)
                rounds[label].append(round(ok / traffic.seconds, 1))
                log(f"round {r + 1} {label}: {ok} ok, {rounds[label][-1]}/s")
        result["throughput"] = {
            "per_round": dict(rounds),
            "median_per_second": {k: statistics.median(v) for k, v in rounds.items()},
            "submissions_per_round": per_round,
        }
        one, two = (result["throughput"]["median_per_second"][k] for k in ("one node", "two nodes"))
        result["throughput"]["ratio_two_to_one"] = round(two / one, 2) if one else None

        # The main run, with a node and later a scheduler killed.
        events: list[dict] = []
        event_lock = threading.Lock()
        kill_node_at, kill_scheduler_at = int(args.total * 0.4), int(args.total * 0.7)

        def on_index(i: int) -> None:
            if i not in (kill_node_at, kill_scheduler_at):
                return
            name = "node1" if i == kill_node_at else "scheduler2"
            processes.kill(name)
            with event_lock:
                events.append({"at_submission": i, "killed": name, "signal": "SIGKILL",
                               "time": datetime.now(UTC).isoformat(timespec="seconds")})
            log(f"submission {i}: SIGKILL to {name} (process group)")

        log(f"main run: {args.total} submissions through the proxy, {args.clients} clients")
        main_traffic = load.drive(port_both, seeded, answers, tokens, args.total, args.clients,
                                  retries=3, on_index=on_index, label="main-")
        all_traffic.append(main_traffic)
        result["events"] = events
        log(f"main run done in {main_traffic.seconds:.0f} s")

        # Let the last periods after the scheduler kill run (bounded by the time limit).
        killed_at = datetime.now(UTC).replace(tzinfo=None)
        want_until = killed_at.replace(second=0, microsecond=0) + timedelta(minutes=1)
        wait = (want_until + timedelta(seconds=40) - datetime.now(UTC).replace(tzinfo=None))
        budget = TIME_LIMIT - 60 - (time.monotonic() - started)
        if wait.total_seconds() > 0:
            seconds = min(wait.total_seconds(), max(0.0, budget))
            log(f"waiting {seconds:.0f} s for the last job period to run")
            time.sleep(seconds)
        until = (datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=40))

        found = load.stored(app, seeded)
        merged = load.Traffic()
        for traffic in all_traffic:
            merged.ok_keys.update(traffic.ok_keys)
            merged.ok_ideas.extend(traffic.ok_ideas)
        result["all_phases"] = load.check(merged, found)
        main_counts = {
            "submissions_attempted": args.total,
            "submissions_ok": len(main_traffic.ok_keys) + len(main_traffic.ok_ideas),
            "retried_after_proxy_error": dict(main_traffic.retried),
            "status": dict(sorted(main_traffic.tally.status.items())),
            "errors": main_traffic.tally.errors,
            "seconds": round(main_traffic.seconds, 1),
            "latency": {k: _kit.latency_summary(v)
                        for k, v in main_traffic.tally.latencies.items()},
            "resent_same_key": dict(main_traffic.resent),
        }
        main_counts["submissions_per_second"] = round(
            main_counts["submissions_ok"] / main_traffic.seconds, 1)
        result["main"] = main_counts
        result["jobs"] = job_periods(app, schedulers_since, until, scheduler_pids)
        result["storage"] = storage_figures(app)
        errors = tmp / "nginx-error.log"
        result["proxy_failovers"] = proxy_failovers(errors.read_text() if errors.exists() else "")
        access = (tmp / "access.log").read_text() if (tmp / "access.log").exists() else ""
        result["proxy_access_log"] = {
            "lines": len(access.splitlines()),
            "respondent_lines": sum(1 for line in access.splitlines()
                                    if re.search(r'"[A-Z]+ /(s|m|g|r)/', line)),
            "staff_lines_example": next((line for line in access.splitlines()), ""),
        }
    finally:
        processes.stop_all()
        drop_database()
        shutil.rmtree(tmp, ignore_errors=True)
    result["seconds_total"] = round(time.monotonic() - started)
    return result


def verdict(result: dict) -> list[str]:
    """What failed, in words; empty when everything held."""
    problems = []
    every = result["all_phases"]
    for key in ("lost", "duplicated", "responses_missing_answers"):
        if every[key]:
            problems.append(f"{key}: {every[key]}")
    for key in ("csrf_from_node1_accepted_by_node2", "forged_csrf_refused_on_node2",
                "session_holds_on_both_nodes", "without_session_redirected",
                "rate_limit_counted_across_nodes"):
        if not result["across_nodes"].get(key):
            problems.append(f"across nodes: {key} failed")
    for job, figures in result["jobs"].items():
        if figures["more_than_once"] or figures["missed"]:
            problems.append(f"job {job}: missed {figures['missed']}, "
                            f"more than once {figures['more_than_once']}")
    if result["main"]["submissions_ok"] < result["main"]["submissions_attempted"]:
        problems.append(f"main run: only {result['main']['submissions_ok']} of "
                        f"{result['main']['submissions_attempted']} answered with success")
    if result["proxy_access_log"]["respondent_lines"]:
        problems.append("the proxy access log holds respondent requests")
    if not result["proxy_access_log"]["lines"]:
        problems.append("the proxy access log holds no staff requests either (not written?)")
    return problems


def write(result: dict, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "scale.json").write_text(json.dumps(result, indent=2) + "\n")
    main, every, across = result["main"], result["all_phases"], result["across_nodes"]
    thr = result["throughput"]
    storage = result["storage"]
    lines = [
        f"# Scale test: two nodes behind nginx ({result['when']})",
        "",
        f"`make scale-test` (`benchmarks/scale.py`), {result['machine']}; "
        f"{result['workers_per_node']} gunicorn workers per node, {result['clients']} client "
        f"threads, PostgreSQL and Redis ({result['redis']}) on 127.0.0.1. The machine is shared "
        "by several people: compare figures within this run only.",
        "",
        f"Verdict: **{'all held' if not result['problems'] else 'FAILED'}**"
        + ("" if not result["problems"] else ": " + "; ".join(result["problems"])),
        "",
        "## Submissions through the proxy, a node killed midway",
        "",
        "| submissions | ok | lost | duplicated | incomplete | stored without success seen "
        "| retried by the client | seconds | per second |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {main['submissions_attempted']} (main run) | {main['submissions_ok']} | "
        f"{every['lost']} | {every['duplicated']} | {every['responses_missing_answers']} | "
        f"{every['stored_without_success_seen']} | "
        f"{sum(main['retried_after_proxy_error'].values())} | {main['seconds']} | "
        f"{main['submissions_per_second']} |",
        "",
        f"Lost/duplicated/incomplete are counted in the database over all phases "
        f"({every['submissions_ok']} successes in all, {every['stored_responses']} responses and "
        f"{every['stored_ideas']} ideas stored).",
        "",
        "Killed: " + "; ".join(
            f"{e['killed']} ({e['signal']} to the process group) at submission {e['at_submission']}"
            for e in result["events"]) + ".",
        f"Retried by the client (as a person presses send again): "
        f"{main['retried_after_proxy_error'] or 'none'}. Status counts of the main run: "
        f"{main['status']}. Client errors: {main['errors'] or 'none'}.",
        f"Resent with the same key: {main['resent_same_key']}.",
        "",
        "The proxy's error log (level warn in this test only) on requests that met the dead node: "
        f"{result.get('proxy_failovers') or 'none'}. A survey submission in flight is passed to "
        "the other node by nginx (it carries its key: `non_idempotent` for /s/ in "
        "deploy/nginx/klankbord-locations.conf); an idea in flight is answered 502 and sent "
        "again by the client; a request refused by the dead port goes to the other node.",
        "",
        "| kind | n | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|",
        *[f"| {k} | {v['n']} | {v['p50_ms']} | {v['p95_ms']} | {v['p99_ms']} | {v['max_ms']} |"
          for k, v in sorted(main["latency"].items())],
        "",
        "## Across nodes",
        "",
        "- CSRF token from node 1 accepted by node 2 (login): "
        f"{across['csrf_from_node1_accepted_by_node2']}; "
        f"a forged token refused by node 2: {across['forged_csrf_refused_on_node2']}.",
        f"- Session of that login on node 1 and node 2: {across['login_session_pages']} "
        f"(without the session: redirected to login: {across['without_session_redirected']}).",
        f"- Login rate limit (10 a minute) with POSTs alternating between the nodes, after the "
        f"one login: {across['login_posts_statuses']} -> counted across nodes: "
        f"{across['rate_limit_counted_across_nodes']}.",
        "",
        "## Throughput: one node against two, same proxy, same run",
        "",
        f"Rounds of {thr['submissions_per_round']} submissions, alternating: one node "
        f"{thr['per_round']['one node']}/s, two nodes {thr['per_round']['two nodes']}/s; medians "
        f"{thr['median_per_second']['one node']} and {thr['median_per_second']['two nodes']}/s "
        f"(ratio {thr['ratio_two_to_one']}). On this 2-core machine both nodes share the same two "
        "cores with the database, the proxy and the client, so a second node adds sync workers "
        "(2 -> 4, which overlap their waits on PostgreSQL), not CPU: the ratio says that a "
        "second node costs nothing here, not what a second machine adds.",
        "",
        "## Scheduled jobs, two schedulers racing (every job each minute)",
        "",
        "| job | periods | exactly once | missed | more than once | ok by scheduler "
        "| skipped (why) | errors |",
        "|---|---:|---:|---|---|---|---|---:|",
        *[f"| {job} | {f['periods']} | {f['exactly_once']} | {f['missed'] or '-'} | "
          f"{f['more_than_once'] or '-'} | {f['ok_by_scheduler']} | {f['skipped']} | "
          f"{f['errors']} |"
          for job, f in result["jobs"].items()],
        "",
        "## Storage (PostgreSQL, for the capacity sheet in docs/deploy.md)",
        "",
        f"{storage['responses']} responses with {storage['answers']} answers "
        f"({storage['answers_per_response']} per response, survey `koken`): "
        f"{storage['bytes_per_response']} bytes per response in `survey_response` + "
        f"`survey_answer` with their indexes; {storage['bytes_per_idea']} bytes per meeting idea; "
        f"database {storage['database_bytes'] / 1e6:.1f} MB.",
        "",
        f"Proxy access log: {result['proxy_access_log']['lines']} lines, "
        f"{result['proxy_access_log']['respondent_lines']} of them for /s/, /m/, /g/ or /r/; "
        f"example line: `{result['proxy_access_log']['staff_lines_example']}`.",
        "",
        f"Total time {result['seconds_total']} s.",
        "",
    ]
    (out_dir / "scale.md").write_text("\n".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=20_000, help="submissions in the main run")
    parser.add_argument("--compare", type=int, default=4_000,
                        help="submissions of the one-node/two-node comparison, in all")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument("--out", type=Path, default=_kit.RESULTS)
    args = parser.parse_args()

    def too_long(signum, frame):
        raise TimeoutError(f"the scale test took longer than {TIME_LIMIT} s")

    signal.signal(signal.SIGALRM, too_long)
    signal.alarm(TIME_LIMIT)
    result = run(args)
    signal.alarm(0)
    result["problems"] = verdict(result)
    write(result, args.out)
    log(f"written {args.out / 'scale.md'}")
    for problem in result["problems"]:
        log(f"FAILED: {problem}")
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
