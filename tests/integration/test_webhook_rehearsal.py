"""`run --simulate --webhook-listen`: the simulator's sender posts over real HTTP to the run's
own receiver while the runner works; what lands in the inbox is exactly the genuine
deliveries, with nothing forged, and the secret is shown nowhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from campaign.campaigns.connect import Connection
from campaign.campaigns.create import create_campaign
from campaign.campaigns.runs import build_runner
from campaign.cli import main
from campaign.clock import CompressedClock
from campaign.engine.runner import Runner
from campaign.engine.settings import RunSettings
from campaign.receiver import SECRET_ENV, listening
from campaign.receiver.listen import SIMULATE_FAULTS_ENV
from campaign.simulator import (
    DEFAULT_FROM_NUMBERS,
    PLANS,
    TEST_API_KEY,
    World,
    in_process_transport,
)
from campaign.simulator.webhooks import FORGED_MARKER
from campaign.store.db import Database, open_db
from campaign.store.inbox import webhook_stats
from campaign.store.models import Attempt, WebhookDelivery
from campaign.voicy.client import VoicyClient
from tests.factories import fake_contacts, us_numbers

SECRET = "whsec_rehearsal_test_61b0e4d2c9"
SAMPLE = Path(__file__).resolve().parents[2] / "sample_lists" / "contacts.csv"


@pytest.mark.anyio
async def test_a_rehearsal_stores_every_genuine_delivery_once_and_nothing_forged(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SIMULATE_FAULTS_ENV, "lost=0.2,repeated=0.1,forged=0.2,reorder=3")
    monkeypatch.delenv(SECRET_ENV, raising=False)  # a rehearsal makes its own secret
    clock = CompressedClock(100.0)
    world = World(clock=clock, plan=PLANS["standard"], seed=4)
    settings = RunSettings(
        from_numbers=tuple(DEFAULT_FROM_NUMBERS[:2]),
        window="any",
        retry_delays={"busy": 30.0, "no_answer": 30.0, "error": 30.0},
    )
    campaign = create_campaign(db, fake_contacts(us_numbers(30)), settings, now=clock.now())
    client = VoicyClient(
        TEST_API_KEY,
        "http://voicy.sim/functions/v1",
        transport=in_process_transport(world),
        clock=clock,
    )
    async with client, listening(db, "127.0.0.1:0", clock=clock, world=world) as hearing:
        assert hearing is not None and hearing.address.url.startswith("http://127.0.0.1:")
        runner = build_runner(db, campaign.id, settings, Connection(client, clock, world))
        result = await runner.run()
        sender = hearing.sender
        while not sender.idle:  # the last calls are still in post-call processing
            await clock.sleep(1.0)
    assert result.state == "finished"

    answers = {(s.kind, s.status_code) for s in sender.sent}
    assert answers <= {
        ("genuine", 200),
        ("repeat", 200),
        ("forged_signature", 401),
        ("forged_content", 401),
    }
    kinds = {kind for kind, _ in answers}
    assert {"genuine", "repeat", "forged_signature", "forged_content"} <= kinds
    genuine = {s.call_id for s in sender.sent if s.kind == "genuine"}
    connected = {c.call_id for c in world.calls if c.connected}
    assert genuine == connected - sender.lost_call_ids
    assert sender.lost_call_ids  # some were lost
    with db.read_session() as session:
        stored = set(session.scalars(select(WebhookDelivery.call_id)))
        placed = set(session.scalars(select(Attempt.call_id).where(Attempt.call_id.is_not(None))))
        stats = webhook_stats(session, campaign.id)
        bodies = list(session.scalars(select(WebhookDelivery.body)))
    assert stored == genuine and stored <= placed
    assert not any(FORGED_MARKER in body for body in bodies)
    assert stats.delivered == len(genuine)
    assert stats.repeated == sum(1 for s in sender.sent if s.kind == "repeat")
    assert stats.refused_signature == sum(1 for s in sender.sent if s.kind.startswith("forged"))


def test_the_cli_rehearsal_reports_deliveries_and_never_shows_the_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    monkeypatch.setenv(SIMULATE_FAULTS_ENV, "forged=0.3")
    db_path = tmp_path / "rehearsal.db"
    # The receiver in the run wakes the runner once a delivery is in the inbox (not before).
    inbox_at_wake: list[int] = []
    arrived = Runner.delivery_arrived

    def woken(runner: Runner, *args: object) -> None:
        with runner.db.read_session() as session:
            inbox_at_wake.append(len(session.scalars(select(WebhookDelivery.call_id)).all()))
        arrived(runner, *args)

    monkeypatch.setattr(Runner, "delivery_arrived", woken)
    args = [
        "run",
        str(SAMPLE),
        "--simulate",
        "--webhook-listen",
        "127.0.0.1:0",
        "--db",
        str(db_path),
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "Receiving Voicy webhooks at http://127.0.0.1:" in result.output
    assert "call_ended stored for this campaign" in result.output
    assert SECRET not in result.output
    db = open_db(db_path)
    try:
        with db.read_session() as session:
            stats = webhook_stats(session)
        assert stats.delivered > 0 and stats.refused_signature > 0
        # One wake per new delivery the run saw (forged ones are refused: no wake), each
        # after its row was written.
        assert 0 < len(inbox_at_wake) <= stats.delivered
        assert inbox_at_wake == sorted(inbox_at_wake) and inbox_at_wake[0] >= 1
        with db.engine.connect() as connection:
            tables = [
                r[0]
                for r in connection.execute(
                    text("SELECT name FROM sqlite_master WHERE type='table'")
                )
            ]
            for table in tables:
                dump = repr(connection.execute(text(f'SELECT * FROM "{table}"')).all())
                assert SECRET not in dump, table
    finally:
        db.dispose()
    status = CliRunner().invoke(main, ["status", "--json", "--db", str(db_path)])
    assert status.exit_code == 0 and SECRET not in status.output


@pytest.mark.parametrize(
    ("listen", "message"),
    [
        ("0.0.0.0:0", "set VOICY_WEBHOOK_SECRET"),
        ("127.0.0.1:0", "set VOICY_WEBHOOK_SECRET"),  # loopback too: tunnels reach it
        ("nonsense", "give HOST:PORT"),
    ],
)
def test_without_a_secret_or_with_a_bad_address_nothing_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, listen: str, message: str
) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    monkeypatch.setenv("VOICY_API_KEY", "voicy_sk_never_used_0000")
    db_path = tmp_path / "refused.db"
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(SAMPLE),
            "--from",
            "+12125550100",
            "--webhook-listen",
            listen,
            "--db",
            str(db_path),
        ],
    )
    assert result.exit_code == 2
    assert message in result.output
    assert not db_path.exists()  # refused before anything was stored


def test_a_short_secret_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, "short")
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(SAMPLE),
            "--simulate",
            "--webhook-listen",
            "127.0.0.1:0",
            "--db",
            str(tmp_path / "x.db"),
        ],
    )
    assert result.exit_code == 2 and "shorter than 16" in result.output
    assert "short" not in result.output.replace("shorter", "")


def test_simulate_wants_the_secret_for_its_webhooks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    result = CliRunner().invoke(
        main, ["simulate", "--port", "0", "--webhook-url", "http://127.0.0.1:9/webhooks/voicy"]
    )
    assert result.exit_code == 2 and "needs the signing secret" in result.output
