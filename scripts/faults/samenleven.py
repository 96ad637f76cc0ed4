"""Shared helpers for the fault scripts (python3 standard library only).

A fault script starts the real release binary on a fresh database (SQLite in a temporary
directory, or a new PostgreSQL database), drives it over HTTP the way a browser does (cookies,
CSRF tokens from the pages, forms, multipart uploads), breaks something, and checks the
outcome in the database itself. Every script prints PASS or FAIL per check and exits 0 only
when every check passed.

Environment:
  SAMENLEVEN_BIN   the binary to run (default: $CARGO_TARGET_DIR/release/samenleven, built
                   with `cargo build --release` when missing)
  PG_ADMIN_URL     PostgreSQL URL where the scripts may create databases
                   (default postgres://postgres@127.0.0.1:5432/postgres)
  KEEP_FAULT_DIRS  set to keep the temporary directories and logs for inspection
"""

import http.client
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DEMO_PASSWORD = "samenleven-demo"
LOAD_DOMAIN = "load.samenleven.test"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def log(message):
    print(time.strftime("%H:%M:%S"), message, flush=True)


# ----------------------------------------------------------------------------- results


class Checks:
    """Collects PASS/FAIL lines; `finish()` prints the verdict and exits with its code."""

    def __init__(self, name):
        self.name = name
        self.failed = []
        self.passed = 0

    def check(self, ok, message):
        if ok:
            self.passed += 1
            print(f"  PASS  {message}", flush=True)
        else:
            self.failed.append(message)
            print(f"  FAIL  {message}", flush=True)
        return ok

    def finish(self):
        total = self.passed + len(self.failed)
        if self.failed:
            print(f"RESULT {self.name}: FAIL ({len(self.failed)} of {total} checks failed)")
            for message in self.failed:
                print(f"  - {message}")
            sys.exit(1)
        print(f"RESULT {self.name}: PASS ({total} checks)")
        sys.exit(0)


# ----------------------------------------------------------------------------- processes


def binary():
    explicit = os.environ.get("SAMENLEVEN_BIN")
    if explicit:
        return explicit
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    path = os.path.join(target, "release", "samenleven")
    if not os.path.exists(path):
        log(f"building the release binary into {target}")
        subprocess.run(
            ["cargo", "build", "--release", "--bin", "samenleven"], cwd=REPO, check=True
        )
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Database:
    """A fresh database: a SQLite file in `directory`, or a new PostgreSQL database."""

    def __init__(self, kind, directory):
        self.kind = kind
        if kind == "sqlite":
            self.path = os.path.join(directory, "samenleven.db")
            self.url = f"sqlite://{self.path}?mode=rwc"
        elif kind == "postgres":
            self.name = f"samenleven_fault_{uuid.uuid4().hex[:12]}"
            psql(PG_ADMIN_URL, f'CREATE DATABASE "{self.name}"')
            self.url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + self.name
        else:
            raise ValueError(kind)

    def rows(self, sql, params=()):
        """Rows of a query as tuples of strings (None for NULL)."""
        if self.kind == "sqlite":
            with sqlite3.connect(self.path, timeout=30) as conn:
                return [
                    tuple(None if v is None else str(v) for v in row)
                    for row in conn.execute(sql, params)
                ]
        if params:
            raise ValueError("parameters are only supported on SQLite")
        out = psql(self.url, sql, rows=True)
        return out

    def value(self, sql):
        rows = self.rows(sql)
        return rows[0][0] if rows else None

    def drop(self):
        if self.kind == "postgres":
            psql(PG_ADMIN_URL, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def psql(url, sql, rows=False):
    result = subprocess.run(
        ["psql", url, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-t", "-F", "\x1f", "-c", sql],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"psql failed: {result.stderr.strip()}")
    if not rows:
        return result.stdout
    out = []
    for line in result.stdout.split("\n"):
        if line == "":
            continue
        out.append(tuple(None if v == "" else v for v in line.split("\x1f")))
    return out


class Server:
    """One `samenleven serve` process."""

    def __init__(self, database, data_dir, name="app", port=None, env=None):
        self.database = database
        self.data_dir = data_dir
        self.name = name
        self.port = port or free_port()
        self.env = dict(os.environ)
        self.env.update(
            {
                "DATABASE_URL": database.url,
                "DATA_DIR": data_dir,
                "BIND_ADDRESS": f"127.0.0.1:{self.port}",
                "SEED_DEMO": "true",
                # The demo's approved Leuven and Oostende dossiers would take two of the 300
                # municipalities out of the open call: the faults start from a call nobody used.
                "SEED_DEMO_FOLLOWUP": "false",
                "RUST_LOG": "warn,samenleven=info",
                "LOG_FORMAT": "json",
                "SESSION_SECRET": "fault-test-secret-0123456789abcdef0123456789",
            }
        )
        self.env.update(env or {})
        self.log_path = os.path.join(data_dir, f"{name}.log")
        self.process = None
        self.base = f"http://127.0.0.1:{self.port}"

    def start(self, timeout=120):
        self.log_file = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [binary(), "serve"],
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start-up; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, socket.timeout, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer /healthz in {timeout} s")

    @property
    def pid(self):
        return self.process.pid

    def kill9(self):
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "log_file", None):
            self.log_file.close()

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def panicked(self):
        return "panicked at" in self.log_text()

    def error_lines(self):
        """Log lines at level ERROR (the JSON log format)."""
        return [l for l in self.log_text().splitlines() if '"level":"ERROR"' in l]

    def peak_rss_kib(self):
        try:
            with open(f"/proc/{self.process.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            return None
        return None


def cli(database, data_dir, *args, env=None, check=True):
    e = dict(os.environ)
    e.update({"DATABASE_URL": database.url, "DATA_DIR": data_dir, "RUST_LOG": "error"})
    e.update(env or {})
    result = subprocess.run([binary(), *args], env=e, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"samenleven {' '.join(args)} failed: {result.stderr}")
    return result


class Workspace:
    """A temporary directory and a database, removed at the end (unless KEEP_FAULT_DIRS)."""

    def __init__(self, kind):
        self.dir = tempfile.mkdtemp(prefix=f"samenleven-fault-{kind}-")
        self.database = Database(kind, self.dir)
        self.servers = []

    def server(self, name="app", **kwargs):
        data_dir = kwargs.pop("data_dir", os.path.join(self.dir, "data"))
        os.makedirs(data_dir, exist_ok=True)
        s = Server(self.database, data_dir, name=name, **kwargs)
        self.servers.append(s)
        return s

    def close(self):
        for s in self.servers:
            try:
                s.stop()
            except Exception as err:  # noqa: BLE001 - best effort clean-up
                log(f"stopping {s.name}: {err}")
        try:
            self.database.drop()
        except Exception as err:  # noqa: BLE001
            log(f"dropping the database: {err}")
        if os.environ.get("KEEP_FAULT_DIRS"):
            log(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


# ----------------------------------------------------------------------------- HTTP


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Response:
    def __init__(self, status, headers, body, elapsed):
        self.status = status
        self.headers = headers
        self.body = body
        self.elapsed = elapsed

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    @property
    def location(self):
        return self.headers.get("Location", "")


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """A user's browser: a cookie jar, and the CSRF token of the last page read."""

    def __init__(self, base, timeout=30):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            NoRedirect, urllib.request.HTTPCookieProcessor(self.jar)
        )
        self.csrf = ""
        self.timeout = timeout

    def request(self, method, path, data=None, headers=None, base=None):
        url = (base or self.base) + path
        req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        started = time.monotonic()
        try:
            with self.opener.open(req, timeout=self.timeout) as r:
                body = r.read()
                response = Response(r.status, r.headers, body, time.monotonic() - started)
        except urllib.error.HTTPError as err:
            body = err.read()
            response = Response(err.code, err.headers, body, time.monotonic() - started)
        match = CSRF.search(response.text) if response.body else None
        if match:
            self.csrf = match.group(1)
        return response

    def get(self, path, base=None):
        return self.request("GET", path, base=base)

    def post(self, path, fields, base=None):
        form = [("csrf_token", self.csrf)] + list(fields)
        data = urllib.parse.urlencode(form).encode()
        return self.request(
            "POST",
            path,
            data=data,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            base=base,
        )

    def upload(self, path, fields, file_field, file_name, content_type, content, base=None):
        boundary = "----samenleven" + uuid.uuid4().hex
        parts = []
        for name, value in [("csrf_token", self.csrf)] + list(fields):
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            )
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
                f'filename="{file_name}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST",
            path,
            data=b"".join(parts),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
            base=base,
        )

    def login(self, email, password=DEMO_PASSWORD, base=None):
        self.get("/aanmelden", base=base)
        r = self.post("/aanmelden", [("email", email), ("password", password)], base=base)
        if r.status != 303:
            raise RuntimeError(f"login of {email} answered {r.status}")
        self.get("/account", base=base)
        return r

    def session_cookie(self):
        for c in self.jar:
            if c.name == "sl_session":
                return c.value
        return None


def field_value(html, name):
    m = re.search(r'name="%s" value="([^"]*)"' % re.escape(name), html)
    if not m:
        raise RuntimeError(f"field {name} not on the page")
    return m.group(1)


# ----------------------------------------------------------------------------- the journey


def open_call(database):
    """The id of the demo call that is open for submission."""
    return database.value("SELECT id FROM call WHERE code = 'PS-2022-2024'")


def open_call_to_every_municipality(database):
    """Test databases only: lets every municipality apply alone in the demo call.

    The deadline rush and the kill -9 stream need hundreds of dossiers that pass the rules; with
    the fictitious demo figures only a few dozen municipalities may apply alone. A call is data,
    so the test sets the single-applicant threshold of its own copy of the call to 0 (a call
    open to every municipality with any non-EU15 resident). The rules engine is not under test
    here; the submission path is.
    """
    execute(database, "UPDATE call SET single_applicant_min_exclusive = 0 WHERE code = 'PS-2022-2024'")


def load_officials(database, limit=None):
    """(email, municipality id, municipality name) of the seed-load officials, by NIS code."""
    rows = database.rows(
        "SELECT u.email, m.id, m.name FROM app_user u JOIN municipality m ON m.id = u.municipality_id "
        f"WHERE u.email LIKE '%@{LOAD_DOMAIN}' ORDER BY m.nis_code"
    )
    return rows[:limit] if limit else rows


def sqlite_execute(database, sql):
    with sqlite3.connect(database.path, timeout=30) as conn:
        conn.execute(sql)


def execute(database, sql):
    if database.kind == "sqlite":
        sqlite_execute(database, sql)
    else:
        psql(database.url, sql)


class Draft:
    """A dossier prepared up to (not including) its submission, and what the client typed."""

    def __init__(self, email, dossier_id, title, summary, description):
        self.email = email
        self.id = dossier_id
        self.title = title
        self.summary = summary
        self.description = description


def call_action_id(database, call_id, code):
    return database.value(
        "SELECT ca.id FROM call_action ca JOIN action a ON a.id = ca.action_id "
        f"WHERE ca.call_id = {int(call_id)} AND a.code = '{code}'"
    )


def prepare_draft(browser, database, call_id, email, tag, action_code="2.1"):
    """Starts a dossier and fills every section so that it can be submitted."""
    browser.get("/gemeente")
    r = browser.post("/dossiers", [("call_id", str(call_id))])
    if r.status != 303 or not r.location.startswith("/dossiers/"):
        raise RuntimeError(f"{email}: start answered {r.status} {r.text[:300]}")
    dossier = r.location.rsplit("/", 1)[1]
    title = f"Samen sterker {tag}"
    summary = f"Taal, ontmoeting en werk voor nieuwkomers ({tag})."
    save_general(browser, dossier, title, summary)
    browser.get(f"/dossiers/{dossier}/acties")
    r = browser.post(
        f"/dossiers/{dossier}/acties",
        [("call_action_id", str(call_action_id(database, call_id, action_code)))],
    )
    if r.status != 303:
        raise RuntimeError(f"{email}: add action answered {r.status}")
    action = r.location.rsplit("/", 1)[1]
    description = f"Een concrete aanpak met vaste partners ({tag})."
    page = browser.get(f"/dossiers/{dossier}/acties/{action}")
    r = browser.post(
        f"/dossiers/{dossier}/acties/{action}",
        [
            ("version", field_value(page.text, "version")),
            ("priority", "1"),
            ("baseline_reach", "0"),
            ("planned_reach", "1"),
            ("own_contribution", "25.000,00"),
            ("description", description),
            ("partners", ""),
        ],
    )
    if r.status != 303:
        raise RuntimeError(f"{email}: save action answered {r.status}: {r.text[:500]}")
    for kind in ("council_decision", "budget_sheet"):
        browser.get(f"/dossiers/{dossier}/bijlagen")
        r = browser.upload(
            f"/dossiers/{dossier}/bijlagen",
            [("kind", kind)],
            "file",
            f"{kind}.pdf",
            "application/pdf",
            PDF,
        )
        if r.status != 303:
            raise RuntimeError(f"{email}: upload {kind} answered {r.status}")
    page = browser.get(f"/dossiers/{dossier}/verklaringen")
    r = browser.post(
        f"/dossiers/{dossier}/verklaringen",
        [
            ("version", field_value(page.text, "version")),
            ("truthful", "ja"),
            ("mandate", "ja"),
            ("cofinancing", "ja"),
        ],
    )
    if r.status != 303:
        raise RuntimeError(f"{email}: declarations answered {r.status}")
    return Draft(email, dossier, title, summary, description)


def save_general(browser, dossier, title, summary, base=None):
    page = browser.get(f"/dossiers/{dossier}/algemeen", base=base)
    r = browser.post(
        f"/dossiers/{dossier}/algemeen",
        [
            ("version", field_value(page.text, "version")),
            ("title", title),
            ("summary", summary),
            ("contact_name", "Contactpersoon Test"),
            ("contact_email", "contact@gemeente.test"),
            ("contact_phone", "03 123 45 67"),
            ("first_project_year", "1"),
            ("last_project_year", "1"),
        ],
        base=base,
    )
    if r.status != 303:
        raise RuntimeError(f"save general of {dossier} answered {r.status}: {r.text[:300]}")
    return r


def submit(browser, dossier, base=None):
    """Reads the check page for the version and submits. Returns the submit response."""
    page = browser.get(f"/dossiers/{dossier}/controle", base=base)
    if page.status != 200:
        return page
    return browser.post(
        f"/dossiers/{dossier}/indienen",
        [("version", field_value(page.text, "version"))],
        base=base,
    )


def prepare_drafts(server, database, officials, call_id, workers=6, tag_prefix="dossier"):
    """Prepares one complete draft per official, `workers` at a time. Returns the drafts."""
    drafts = [None] * len(officials)
    errors = []
    lock = threading.Lock()
    queue = list(enumerate(officials))

    def work():
        while True:
            with lock:
                if not queue:
                    return
                index, (email, _mid, name) = queue.pop(0)
            try:
                browser = Browser(server.base)
                browser.login(email)
                drafts[index] = (
                    browser,
                    prepare_draft(browser, database, call_id, email, f"{tag_prefix} {name}"),
                )
            except Exception as err:  # noqa: BLE001 - reported below
                with lock:
                    errors.append(f"{email}: {err}")

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{len(errors)} drafts could not be prepared: {errors[:3]}")
    return drafts


def percentile(values, p):
    if not values:
        return 0.0
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1)))))
    return ordered[k]


def databases_from_argv(default=("sqlite", "postgres")):
    """`--db sqlite|postgres|both` from the command line."""
    args = sys.argv[1:]
    if "--db" in args:
        value = args[args.index("--db") + 1]
        return ("sqlite", "postgres") if value == "both" else (value,)
    return default


# ----------------------------------------------------------------------------- SMTP


class SmtpCatcher:
    """A small real SMTP server on 127.0.0.1 that keeps every message it accepts.

    `stop()` closes the listening socket and every open session (the app's mailer keeps a pooled
    connection), so the app's connections are refused: the server is down. `start()` listens
    again on the same port.
    """

    def __init__(self, port=None):
        self.port = port or free_port()
        self.messages = []
        self.lock = threading.Lock()
        self.listener = None
        self.thread = None
        self.running = False
        self.sessions = set()

    def start(self):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(64)
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.running = False
        if self.listener:
            try:
                self.listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.listener.close()
            self.listener = None
        if self.thread:
            self.thread.join(timeout=5)
        with self.lock:
            sessions = list(self.sessions)
        for conn in sessions:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _accept(self):
        listener = self.listener
        while self.running:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn):
        with self.lock:
            self.sessions.add(conn)
        conn.settimeout(30)
        f = conn.makefile("rb")

        def say(line):
            conn.sendall(line.encode() + b"\r\n")

        try:
            say("220 catcher ESMTP")
            sender, recipients = None, []
            while True:
                line = f.readline()
                if not line:
                    return
                command = line.decode("utf-8", "replace").strip()
                upper = command.upper()
                if upper.startswith("EHLO"):
                    conn.sendall(b"250-catcher\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                elif upper.startswith("HELO"):
                    say("250 catcher")
                elif upper.startswith("MAIL FROM:"):
                    sender, recipients = command[10:].strip(), []
                    say("250 OK")
                elif upper.startswith("RCPT TO:"):
                    recipients.append(command[8:].strip().split()[0].strip("<>"))
                    say("250 OK")
                elif upper == "DATA":
                    say("354 end with <CRLF>.<CRLF>")
                    data = []
                    while True:
                        part = f.readline()
                        if not part or part in (b".\r\n", b".\n"):
                            break
                        data.append(part[1:] if part.startswith(b"..") else part)
                    with self.lock:
                        self.messages.append(
                            {
                                "from": sender,
                                "to": list(recipients),
                                "data": b"".join(data).decode("utf-8", "replace"),
                            }
                        )
                    say("250 OK queued")
                elif upper == "RSET":
                    sender, recipients = None, []
                    say("250 OK")
                elif upper == "NOOP":
                    say("250 OK")
                elif upper == "QUIT":
                    say("221 bye")
                    return
                else:
                    say("502 not implemented")
        except OSError:
            return
        finally:
            with self.lock:
                self.sessions.discard(conn)
            conn.close()

    def received(self):
        with self.lock:
            return list(self.messages)


def subject_of(message):
    for line in message["data"].split("\n"):
        if line.lower().startswith("subject:"):
            return line.split(":", 1)[1].strip()
    return ""


def message_id_of(message):
    for line in message["data"].split("\n"):
        if line.lower().startswith("message-id:"):
            return line.split(":", 1)[1].strip()
    return ""
