"""Analytics service: the event log and per-subject aggregates, fed only by NATS."""
