"""How fast the webhook receiver answers: signed call_ended posts over real HTTP, each
stored durably (SQLite, synchronous=FULL; or --db URL) before its 200.

    PYTHONPATH=. python bench/webhook_receiver.py [--deliveries 500] [--db URL]

Prints the answer time (median, 95th and 99th percentile, max) for new deliveries, repeats
and refused (bad signature) ones. The calls are attempts of a campaign in the database, so
every new delivery is matched and written, as in a real run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import anyio
import httpx

from campaign.receiver import serve_webhooks
from campaign.store.db import Database, open_db
from campaign.store.models import PLACED, Attempt, Campaign, Contact
from campaign.voicy.webhooks import sign

SECRET = "whsec_bench_receiver_0123456789"


def seed_calls(db: Database, count: int) -> list[str]:
    now = datetime.now(UTC)
    ids = [str(uuid.uuid4()) for _ in range(count)]
    with db.session() as session:
        campaign = Campaign(
            name=f"bench-{uuid.uuid4().hex[:6]}",
            state="running",
            created_at=now,
            settings={},
            source_columns=[],
        )
        session.add(campaign)
        session.flush()
        for i, call_id in enumerate(ids):
            contact = Contact(
                campaign_id=campaign.id,
                position=i,
                line=i + 2,
                import_status="valid",
                to_number=f"+1202555{i:04d}",
            )
            session.add(contact)
            session.flush()
            session.add(
                Attempt(
                    campaign_id=campaign.id,
                    contact_id=contact.id,
                    number=1,
                    state=PLACED,
                    from_number="+12125550100",
                    to_number=contact.to_number,
                    call_id=call_id,
                    requested_at=now,
                )
            )
    return ids


def body(call_id: str, i: int) -> bytes:
    transcript = [
        {
            "role": "agent" if j % 2 else "caller",
            "content": "שלום, מה שלומך? " * 4,
            "timestamp_ms": 1_772_463_545_000 + j,
        }
        for j in range(20)
    ]
    call = {
        "call_id": call_id,
        "call_status": "user_hangup",
        "to_number": f"+1202555{i:04d}",
        "from_number": "+12125550100",
        "summary": "Confirmed.",
        "transcript": transcript,
        "vars_extracted": {"confirmed": True},
        "call_cost": {"combined_cost": 0.05},
    }
    return json.dumps({"event": "call_ended", "call": call}, ensure_ascii=False).encode()


def figures(name: str, seconds: list[float]) -> None:
    ms = sorted(s * 1000 for s in seconds)
    q = statistics.quantiles(ms, n=100)
    print(
        f"{name:>9}: {len(ms)} posts, median {statistics.median(ms):.1f} ms, "
        f"p95 {q[94]:.1f} ms, p99 {q[98]:.1f} ms, max {ms[-1]:.1f} ms"
    )


async def bench(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(args.db or Path(tmp) / "receiver.db")
        ids = seed_calls(db, args.deliveries)
        bodies = [body(call_id, i) for i, call_id in enumerate(ids)]
        async with anyio.create_task_group() as tg:
            address = await tg.start(serve_webhooks, db, SECRET, "127.0.0.1", 0)
            timings: dict[str, list[float]] = {"new": [], "repeat": [], "refused": []}
            async with httpx.AsyncClient() as client:
                for kind in timings:
                    for raw in bodies:
                        signature = sign(SECRET, raw) if kind != "refused" else "sha256=00"
                        start = time.perf_counter()
                        answer = await client.post(
                            address.url, content=raw, headers={"x-voicy-signature": signature}
                        )
                        timings[kind].append(time.perf_counter() - start)
                        expected = 401 if kind == "refused" else 200
                        assert answer.status_code == expected, answer.text
            tg.cancel_scope.cancel()
        db.dispose()
    print(
        f"database: {'given' if args.db else 'SQLite file (WAL, synchronous=FULL)'}; "
        f"body {len(bodies[0]):,} bytes"
    )
    for kind, seconds in timings.items():
        figures(kind, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=500)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    anyio.run(bench, parser.parse_args())


if __name__ == "__main__":
    main()
