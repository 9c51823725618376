"""Re-drive dead-lettered outbox events once their cause is fixed (EVENTS.md, "Dead letters").

    python -m services.common.redrive --database-url URL --producer NAME [--event-id ID]

``URL`` is the producing service's database (its ``ASCENT_<SERVICE>_DATABASE_URL``, or
``sqlite:///<data_dir>/<service>.db``); the running service's relay publishes the re-queued
rows on its next pass. Prints the re-queued event ids; re-driving again re-queues nothing.
"""

from __future__ import annotations

import argparse
import sys

from services.common.db import Database
from services.common.outbox import redrive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.common.redrive")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--producer", required=True, help="the service whose outbox it is")
    parser.add_argument("--event-id", help="only this event (default: every dead letter)")
    args = parser.parse_args(argv)
    ids = redrive(Database(args.database_url), args.producer, args.event_id)
    for event_id in ids:
        sys.stdout.write(f"{event_id}\n")
    sys.stdout.write(f"re-driven: {len(ids)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
