"""`make run`: start NATS, every service and the gateway; stop them all on Ctrl-C/SIGTERM."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading

from services.common.config import CommonSettings
from services.supervisor.stack import Stack, StackConfig


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    common = CommonSettings()
    config = StackConfig(
        data_dir=common.data_dir.resolve(),
        host=os.environ.get("ASCENT_HOST", "127.0.0.1"),
        http_port=int(os.environ.get("ASCENT_PORT", "8000")),
        nats_url=os.environ.get("ASCENT_NATS_URL") or None,
        nats_port=int(os.environ.get("ASCENT_NATS_PORT", "4322")),
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
    print(f"\n  Ascent is running at {stack.base_url}\n  (Ctrl-C stops everything)\n", flush=True)
    done.wait()
    print("Stopping Ascent ...", flush=True)
    stack.stop()
    print("Stopped.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
