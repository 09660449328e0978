"""The deployment files in deploy/: they parse, they say what docs/deploy.md promises, and the
proxy configuration really keeps residents' requests out of its access log."""

from __future__ import annotations

import configparser
import http.client
import os
import re
import runpy
import shutil
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from klankbord import create_app
from klankbord.core.respondent_errors import TEXTS

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def test_compose_has_two_nodes_a_scheduler_each_and_shared_services():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"db", "redis", "proxy", "migrate", "web1", "web2", "scheduler1", "scheduler2"} <= set(
        services
    )
    for name in ("web1", "web2", "scheduler1", "scheduler2", "migrate"):
        env = services[name]["environment"]
        assert env["KLANKBORD_ENV_NAME"] == "production"
        assert env["KLANKBORD_RATELIMIT_STORAGE_URI"].startswith("redis://redis")
        # Secrets come from files, never from the compose file or the environment.
        assert "KLANKBORD_SECRET_KEY" not in env and "KLANKBORD_DATABASE_URL" not in env
        assert set(services[name]["secrets"]) == {"secret_key", "db_password"}
        assert "./config.py:/var/lib/klankbord/config.py:ro" in services[name]["volumes"]
    assert services["scheduler1"]["command"] == ["klankbord", "scheduler"]
    assert "command" not in services["web1"]  # the image's default: gunicorn
    assert services["web1"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    # Only the proxy is published.
    assert [name for name, s in services.items() if s.get("ports")] == ["proxy"]


def test_containerfile_is_slim_non_root_with_pdf_libraries_fonts_and_health_check():
    text = (DEPLOY / "Containerfile").read_text()
    assert re.search(r"^FROM \S*python:3\.1\d-slim", text, re.M)
    assert re.search(r"^USER klankbord", text, re.M)
    assert re.search(r'HEALTHCHECK .*\n?.*CMD \["klankbord", "check"\]', text)
    # Every package the CI script installs for WeasyPrint and the seven scripts' fonts (not the
    # ones only tests use: the browser and pdftotext).
    ci = (REPO / ".ci" / "system-deps.sh").read_text()
    wanted = set(re.findall(r"need\+=\(([^)]*)\)", ci)[2:])
    test_only = {"chromium", "chromium-driver", "poppler-utils"}
    packages = {p for group in wanted for p in group.split()} - test_only
    assert {"fonts-noto-core", "fonts-noto-extra", "libpango-1.0-0"} <= packages
    for package in packages:
        assert package in text, package


def test_systemd_units_run_as_klankbord_with_secrets_as_credentials():
    for unit in ("klankbord-web.service", "klankbord-scheduler.service"):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str
        parser.read(DEPLOY / "systemd" / unit)
        service = parser["Service"]
        assert service["User"] == "klankbord"
        assert service["ExecStart"].startswith("/opt/klankbord/.venv/bin/")
        assert "KLANKBORD_SECRET_KEY_FILE=secret_key" in (DEPLOY / "systemd" / unit).read_text()
    env = (DEPLOY / "systemd" / "klankbord.env").read_text()
    settings = [line for line in env.splitlines() if line and not line.startswith("#")]
    assert not [line for line in settings if re.match(r"KLANKBORD_(SECRET_KEY|\w*PASSWORD)=", line)]


def test_instance_config_reads_the_secrets_from_files(tmp_path, monkeypatch):
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / "secret_key").write_text("k" * 64 + "\n")
    (credentials / "db_password").write_text("p@ss/word:1\n")
    (credentials / "mail_password").write_text("smtp-geheim\n")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(credentials))
    monkeypatch.setenv("KLANKBORD_SECRET_KEY_FILE", "secret_key")  # relative: systemd credential
    monkeypatch.setenv("KLANKBORD_DB_PASSWORD_FILE", str(credentials / "db_password"))
    monkeypatch.setenv("KLANKBORD_DB_HOST", "10.0.0.20")
    monkeypatch.setenv("KLANKBORD_MAIL_PASSWORD_FILE", "mail_password")
    loaded = runpy.run_path(str(DEPLOY / "config.py"))
    assert loaded["SECRET_KEY"] == "k" * 64
    assert loaded["MAIL_PASSWORD"] == "smtp-geheim"
    assert loaded["DATABASE_URL"] == "postgresql://klankbord:p%40ss%2Fword%3A1@10.0.0.20:5432/klankbord"
    # As the instance config of a real app: the URL reaches SQLAlchemy with the psycopg driver.
    instance = tmp_path / "instance"
    instance.mkdir()
    shutil.copy(DEPLOY / "config.py", instance / "config.py")
    app = create_app({"INSTANCE_PATH": str(instance), "TESTING": True})
    assert app.config["SECRET_KEY"] == "k" * 64
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://klankbord:p%40ss%2Fword%3A1@10.0.0.20:5432/klankbord"
    )


def test_proxy_error_page_says_try_again_in_all_seven_languages():
    page = (DEPLOY / "nginx" / "unavailable.html").read_text()
    for lang, sentence in TEXTS["title_503"].items():
        assert f'lang="{lang}"' in page and sentence in page, lang


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=klankbord.test", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


def _nginx_version() -> tuple[int, int]:
    out = subprocess.run([NGINX, "-v"], capture_output=True, text=True).stderr
    major, minor = re.search(r"nginx/(\d+)\.(\d+)", out).groups()
    return int(major), int(minor)


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (make scale-test installs it)")
@pytest.mark.parametrize("site", ["klankbord.conf", "compose-site.conf"])
def test_site_configurations_pass_nginx_t(tmp_path, site):
    """The shipped site files with only paths and node addresses replaced pass ``nginx -t``."""
    cert, key = _self_signed(tmp_path)
    text = (DEPLOY / "nginx" / site).read_text()
    text = re.sub(r"/etc/(letsencrypt/live/[^/]+|nginx/tls)/fullchain\.pem", str(cert), text)
    text = re.sub(r"/etc/(letsencrypt/live/[^/]+|nginx/tls)/privkey\.pem", str(key), text)
    text = re.sub(r"/var/log/nginx/\S+?(?=[ ;])", lambda m: str(tmp_path / Path(m[0]).name), text)
    text = text.replace("/etc/nginx/snippets/klankbord-locations.conf",
                        str(DEPLOY / "nginx" / "klankbord-locations.conf"))
    text = re.sub(r"server (web\d|10\.0\.0\.\d+):8000", "server 127.0.0.1:9", text)
    text = re.sub(r"listen (80|443)\b", lambda m: f"listen 127.0.0.1:{_free_port()}", text)
    if _nginx_version() < (1, 25):  # the compose image is nginx 1.26; Debian 12 has 1.22
        text = text.replace("    http2 on;\n", "")
    (tmp_path / "site.conf").write_text(text)
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  include {DEPLOY}/nginx/klankbord-http.conf;\n"
        f"  include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run([NGINX, "-t", "-c", str(main), "-p", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


class _Upstream(BaseHTTPRequestHandler):
    def _answer(self):
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (make scale-test installs it)")
def test_proxy_access_log_drops_residents_and_keeps_no_address_or_query(tmp_path):
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    port = _free_port()
    tmp_path.chmod(0o755)  # nginx's worker (not root) writes temporary files here
    (tmp_path / "nginx.conf").write_text(f"""
daemon off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{}}
http {{
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    include {DEPLOY}/nginx/klankbord-http.conf;
    upstream klankbord {{ server 127.0.0.1:{upstream.server_address[1]}; }}
    server {{
        listen 127.0.0.1:{port};
        set $klankbord_upstream klankbord;
        access_log {tmp_path}/access.log klankbord if=$klankbord_loggable;
        include {DEPLOY}/nginx/klankbord-locations.conf;
    }}
}}
""")
    nginx = subprocess.Popen([NGINX, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                             stderr=subprocess.PIPE)
    resident = ["/s/ABCD2345/ar", "/s/ABCD2345/ti/submit", "/m/KAMER7/fa", "/m/KAMER7/fa/idea",
                "/g/GROEP9", "/r/geheim-deeltoken", "/invite/geheim-token", "/s", "/m"]
    staff = ["/login?next=/reports/7", "/meetings/", "/healthz"]
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert nginx.poll() is None, nginx.stderr.read().decode()
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.1)
        for path in resident + staff:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            method = "POST" if path.endswith(("/submit", "/idea")) else "GET"
            conn.request(method, path, body=b"a=1" if method == "POST" else None, headers={
                "X-Forwarded-For": "203.0.113.9", "User-Agent": "Telefoon/1.0",
                "Referer": "https://example.org/flyer",
            })
            assert conn.getresponse().status == 200
            conn.close()
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        upstream.shutdown()
        upstream.server_close()
    lines = (tmp_path / "access.log").read_text().splitlines()
    assert [re.search(r"\"GET ([^\" ]+)", line)[1] for line in lines] == [
        "/login", "/meetings/", "/healthz"
    ]
    log = "\n".join(lines)
    for leaked in ("127.0.0.1", "203.0.113.9", "Telefoon", "example.org", "next=", "?"):
        assert leaked not in log
    assert os.path.getsize(tmp_path / "error.log") == 0 or "203.0.113.9" not in (
        tmp_path / "error.log"
    ).read_text()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is missing")
def test_systemd_units_pass_systemd_analyze_verify(tmp_path):
    """The units as shipped, with only the program paths pointing at programs that exist here."""
    units = []
    for unit in sorted((DEPLOY / "systemd").glob("klankbord-*.*")):
        text = unit.read_text()
        text = re.sub(r"/opt/klankbord/\S+", "/bin/true", text)
        (tmp_path / unit.name).write_text(text)
        units.append(str(tmp_path / unit.name))
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *units],
                            capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
