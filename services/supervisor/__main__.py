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


STAFF_FILE = "staff.json"


def password_file(data_dir: Path, username: str) -> Path:
    """`<data_dir>/demo-<username>-password`, generated once (0600) so every start prints the
    same login."""
    secret_file = data_dir / f"demo-{username}-password"
    if not secret_file.exists():
        secret_file.write_text(secrets.token_urlsafe(12))
        secret_file.chmod(0o600)
    return secret_file


def demo_staff_file(data_dir: Path, accounts: list[tuple[str, str]]) -> Path:
    """The gateway's ASCENT_GATEWAY_STAFF_FILE for (username, role) pairs: the gateway creates
    these accounts with their roles at start (registration never grants a role)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    entries = [
        {"username": name, "role": role, "password_file": password_file(data_dir, name).name}
        for name, role in accounts
    ]
    path = data_dir / STAFF_FILE
    path.write_text(json.dumps(entries, indent=2))
    return path


def demo_account(stack: Stack, data_dir: Path, username: str) -> tuple[str, str] | None:
    """A demo staff account (the instructor for authoring, cohorts and dashboards; the admin
    for the platform view) and its password, if that password really logs in (the name may
    belong to an account registered by hand with another one); else None."""
    password = password_file(data_dir, username).read_text().strip()
    body = json.dumps({"username": username, "password": password}).encode()
    request = urllib.request.Request(
        f"{stack.base_url}/api/auth/token",
        data=body,
        headers={"content-type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status = int(response.status)
    except urllib.error.HTTPError as err:
        status = err.code
    except OSError:
        status = 0
    return (username, password) if status == 200 else None


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    common = CommonSettings()
    data_dir = common.data_dir.resolve()
    # The demo staff accounts, created by the gateway with their roles, unless the operator
    # brings their own staff file.
    own_staff = os.environ.get("ASCENT_GATEWAY_STAFF_FILE")
    demo = [(DEMO_INSTRUCTOR, "instructor"), (DEMO_ADMIN, "admin")]
    staff_file = own_staff or str(demo_staff_file(data_dir, demo))
    config = StackConfig(
        data_dir=data_dir,
        host=os.environ.get("ASCENT_HOST", "127.0.0.1"),
        http_port=int(os.environ.get("ASCENT_PORT", "8000")),
        nats_url=os.environ.get("ASCENT_NATS_URL") or None,
        nats_port=int(os.environ.get("ASCENT_NATS_PORT", "4322")),
        extra_env={"ASCENT_GATEWAY_STAFF_FILE": staff_file},
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
    shown = (
        []
        if own_staff
        else [
            (DEMO_INSTRUCTOR, "Instructor (/author, /cohorts, /dashboards)"),
            (DEMO_ADMIN, "Admin (/platform, /admin/users)"),
        ]
    )
    for username, what in shown:
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
