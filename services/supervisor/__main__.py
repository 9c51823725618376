"""`make run`: start NATS, every service and the gateway; stop them all on Ctrl-C/SIGTERM."""

from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

from services.common.config import CommonSettings
from services.supervisor.stack import Stack, StackConfig

DEMO_INSTRUCTOR = "instructor"
DEMO_ADMIN = "admin"


def demo_account(stack: Stack, data_dir: Path, username: str) -> tuple[str, str] | None:
    """A demo staff account (the instructor for authoring, cohorts and dashboards; the admin
    for the platform view): registered once, its generated password kept in the data dir so
    every start can print it. None if registration failed."""
    secret_file = data_dir / f"demo-{username}-password"
    if not secret_file.exists():
        secret_file.write_text(secrets.token_urlsafe(12))
        secret_file.chmod(0o600)
    password = secret_file.read_text().strip()
    body = json.dumps({"username": username, "password": password}).encode()

    def post(path: str) -> int:
        request = urllib.request.Request(
            f"{stack.base_url}{path}",
            data=body,
            headers={"content-type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as err:
            return err.code
        except OSError:
            return 0

    # 409: registered on an earlier start. Only a password that logs in is ever printed (the
    # name may have been registered by hand with another one).
    if post("/api/auth/register") not in (201, 409) or post("/api/auth/token") != 200:
        return None
    return username, password


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    common = CommonSettings()
    config = StackConfig(
        data_dir=common.data_dir.resolve(),
        host=os.environ.get("ASCENT_HOST", "127.0.0.1"),
        http_port=int(os.environ.get("ASCENT_PORT", "8000")),
        nats_url=os.environ.get("ASCENT_NATS_URL") or None,
        nats_port=int(os.environ.get("ASCENT_NATS_PORT", "4322")),
        # The demo staff accounts (see demo_account) unless staff names are configured.
        extra_env={
            "ASCENT_INSTRUCTOR_USERNAMES": os.environ.get(
                "ASCENT_INSTRUCTOR_USERNAMES", DEMO_INSTRUCTOR
            ),
            "ASCENT_GATEWAY_ADMINS": os.environ.get("ASCENT_GATEWAY_ADMINS", DEMO_ADMIN),
        },
    )
    stack = Stack(config)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    print(f"Starting Ascent (data in {config.data_dir}, logs in {config.data_dir / 'logs'}) ...")
    try:
        stack.start()
    except Exception as exc:
        print(f"Ascent failed to start: {exc}", file=sys.stderr)
        stack.stop()
        return 1
    print(f"\n  Ascent is running at {stack.base_url}", flush=True)
    for username, what in (
        (DEMO_INSTRUCTOR, "Instructor (/author, /cohorts, /dashboards)"),
        (DEMO_ADMIN, "Admin (/platform)"),
    ):
        account = demo_account(stack, config.data_dir, username)
        if account is not None:
            print(f"  {what}: {account[0]} / {account[1]}", flush=True)
    print("  (Ctrl-C stops everything)\n", flush=True)
    done.wait()
    print("Stopping Ascent ...", flush=True)
    stack.stop()
    print("Stopped.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
