"""deploy/nginx.conf, the example production site, passes `nginx -t` (Debian's package)
and, run for real on loopback, serves uploads so that none runs as a page of ours and
shares the requests between two app servers (deploy/gunicorn.conf.py), going on with one
when the other stops."""

import os
import re
import shutil
import socket
import ssl
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from config.tests.servers import production_environment, running

OPENSSL_SELF_SIGNED = ("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=x")
SITE = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"


@pytest.fixture
def nginx():
    if not os.path.exists("/usr/sbin/nginx") and not shutil.which("nginx"):
        message = "nginx not found (Debian package `nginx`)"
        if os.environ.get("REQUIRE_NGINX"):
            pytest.fail(message)
        pytest.skip(message)
    return shutil.which("nginx") or "/usr/sbin/nginx"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def site(nginx, tmp_path):
    """The example site with a throw-away certificate, its media under tmp_path and its
    HTTPS server on a free loopback port: (nginx command, port, media folder)."""
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [*OPENSSL_SELF_SIGNED, "-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    text = SITE.read_text(encoding="utf-8")
    text = re.sub(r"ssl_certificate .*;", f"ssl_certificate {certificate};", text)
    text = re.sub(r"ssl_certificate_key .*;", f"ssl_certificate_key {key};", text)
    text = text.replace("root /srv/volna;", f"root {tmp_path};")
    text = text.replace("/var/log/nginx/volna.access.log", str(tmp_path / "access.log"))
    text = re.sub(r"listen \[::\]:\d+.*;\n", "", text)
    text = text.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl http2;")
    text = text.replace("listen 80;", f"listen 127.0.0.1:{_free_port()};")
    (tmp_path / "volna.conf").write_text(text, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        # Workers read the media under tmp_path, which only its owner may enter.
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {tmp_path}/volna.conf;\n}}\n",
        encoding="utf-8",
    )
    (tmp_path / "media").mkdir()
    command = [nginx, "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(tmp_path / "nginx.conf")]
    return command, port, tmp_path / "media"


def test_the_example_site_passes_nginx_t(site):
    command, _port, _media = site
    result = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_uploads_are_downloads_without_sniffing_in_a_sandbox_and_pictures_show(site):
    command, port, media = site
    (media / "lesson.html").write_bytes(b"GIF89a<script>alert(1)</script>")
    (media / "plan.pdf").write_bytes(b"%PDF-1.4 <html><script>alert(1)</script>")
    (media / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    server = subprocess.Popen(command, stderr=subprocess.PIPE)
    insecure = ssl.create_default_context()
    insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE
    try:

        def get(name):
            for _attempt in range(50):
                try:
                    return urllib.request.urlopen(f"https://127.0.0.1:{port}/media/{name}", context=insecure)
                except urllib.error.HTTPError:
                    raise
                except (ConnectionError, urllib.error.URLError):
                    time.sleep(0.1)
            raise AssertionError(server.stderr.read().decode() if server.poll() is not None else "nginx did not answer")

        for name, content_type in (("lesson.html", "application/octet-stream"), ("plan.pdf", "application/pdf")):
            headers = get(name).headers
            assert headers["Content-Type"] == content_type
            assert headers["Content-Disposition"] == "attachment"
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert headers["Content-Security-Policy"] == "sandbox"
        picture = get("cover.png").headers
        assert picture["Content-Type"] == "image/png"
        assert picture["Content-Disposition"] is None
        assert picture["X-Content-Type-Options"] == "nosniff"
        assert picture["Content-Security-Policy"] == "sandbox"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _start(command) -> subprocess.Popen:
    return subprocess.Popen(command, stderr=subprocess.PIPE)


def _healthz(port: int, context, path: str = "/healthz") -> int:
    """The status of GET /healthz (or `path`) through nginx, once it answers."""
    for _attempt in range(50):
        try:
            return urllib.request.urlopen(f"https://127.0.0.1:{port}{path}", context=context).status
        except urllib.error.HTTPError as error:
            return error.code
        except (ConnectionError, urllib.error.URLError):
            time.sleep(0.1)
    raise AssertionError("nginx did not answer")


def test_two_app_servers_share_the_requests_and_one_down_the_other_answers(site, static_root, tmp_path):
    command, port, _media = site
    with running("AB", production_environment(STATIC_ROOT=str(static_root)), tmp_path) as (a, b):
        conf = tmp_path / "volna.conf"
        text = conf.read_text(encoding="utf-8")
        text = text.replace("server 127.0.0.1:8001 ", f"server 127.0.0.1:{a.port} ")
        conf.write_text(text.replace("server 127.0.0.1:8002 ", f"server 127.0.0.1:{b.port} "), encoding="utf-8")
        server = _start(command)
        insecure = ssl.create_default_context()
        insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE
        try:
            assert [_healthz(port, insecure) for _ in range(20)] == [200] * 20
            # nginx logs each page (not the health checks) with the instance that answered it: both did.
            assert [_healthz(port, insecure, "/about/") for _ in range(10)] == [200] * 10
            answered = re.findall(r'"GET /about/ .* upstream=(\S+) ', (tmp_path / "access.log").read_text())
            assert len(answered) == 10
            assert set(answered) == {f"127.0.0.1:{a.port}", f"127.0.0.1:{b.port}"}

            a.stop()

            assert [_healthz(port, insecure) for _ in range(20)] == [200] * 20
        finally:
            server.terminate()
            server.wait(timeout=10)
