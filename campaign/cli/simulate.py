"""`campaign simulate`: serve the Voicy API simulator on a local port."""

from __future__ import annotations

import time

import click

from campaign.caller_numbers import given_numbers
from campaign.cli._base import main
from campaign.clock import Clock, CompressedClock, SystemClock
from campaign.errors import InputError
from campaign.simulator import DEFAULT_FROM_NUMBERS, PLANS, Faults, World
from campaign.simulator.server import base_url_of, bind_socket, serve_forever

_PROBABILITY = click.FloatRange(0.0, 1.0)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8787, show_default=True, type=int, help="Port (0 = any free).")
@click.option(
    "--plan",
    "plan_name",
    type=click.Choice(sorted(PLANS)),
    default="standard",
    show_default=True,
    help="Rate and concurrency limits to enforce.",
)
@click.option(
    "--time-scale",
    type=click.FloatRange(0.0, min_open=True),
    default=1.0,
    show_default=True,
    help="Simulated seconds per real second (1 = real time). Rate windows, call "
    "lengths and X-RateLimit-Reset are in simulated time.",
)
@click.option(
    "--p-ambiguous",
    type=_PROBABILITY,
    default=0.0,
    show_default=True,
    help="Chance a dial creates the call but answers 502.",
)
@click.option(
    "--p-drop",
    type=_PROBABILITY,
    default=0.0,
    show_default=True,
    help="Chance a dial creates the call but the connection drops.",
)
@click.option(
    "--p-5xx",
    "p_5xx",
    type=_PROBABILITY,
    default=0.0,
    show_default=True,
    help="Chance a request is refused with 503 (no effect).",
)
@click.option(
    "--p-slow",
    type=_PROBABILITY,
    default=0.0,
    show_default=True,
    help="Chance a dial creates the call but answers --slow-seconds late.",
)
@click.option(
    "--slow-seconds",
    type=click.FloatRange(0.0),
    default=30.0,
    show_default=True,
    help="Delay of a slow answer, in simulated seconds.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed of call outcomes and faults (same seed, same campaign).",
)
@click.option(
    "--from",
    "from_numbers",
    multiple=True,
    metavar="E164",
    help="A number the simulated account owns (repeatable; default $VOICY_FROM_NUMBERS, "
    "else +12125550100, +12125550101 and +442079460000).",
)
@click.option(
    "--webhook-url",
    metavar="URL",
    help="Post call_ended webhooks here (e.g. http://127.0.0.1:8790/webhooks/voicy).",
)
@click.option(
    "--webhook-secret",
    envvar="VOICY_WEBHOOK_SECRET",
    metavar="SECRET",
    help="Signing secret of the webhooks (never printed). Env: VOICY_WEBHOOK_SECRET.",
)
@click.option(
    "--webhook-scope",
    type=click.Choice(["connected", "all"]),
    default="connected",
    show_default=True,
    help="Which ended calls fire a webhook: only connected ones, or every one.",
)
@click.option(
    "--webhook-lost",
    type=_PROBABILITY,
    default=0.0,
    show_default=True,
    help="Chance a call's webhook is never sent.",
)
@click.option(
    "--webhook-repeated",
    type=_PROBABILITY,
    default=0.0,
    show_default=True,
    help="Chance a webhook is sent a second time.",
)
@click.option(
    "--webhook-late",
    type=_PROBABILITY,
    default=0.0,
    show_default=True,
    help="Chance a webhook is sent 30 s to 5 min (simulated) late.",
)
@click.option(
    "--webhook-reorder",
    type=click.FloatRange(0.0),
    default=0.0,
    show_default=True,
    metavar="SECONDS",
    help="Delay each webhook by up to this much, so they arrive out of order.",
)
@click.option(
    "--webhook-forged",
    type=_PROBABILITY,
    default=0.0,
    show_default=True,
    help="Chance of one more, forged delivery for a call (a receiver must refuse it).",
)
def simulate(
    host: str,
    port: int,
    plan_name: str,
    time_scale: float,
    p_ambiguous: float,
    p_drop: float,
    p_5xx: float,
    p_slow: float,
    slow_seconds: float,
    seed: int,
    webhook_url: str | None,
    webhook_secret: str | None,
    webhook_scope: str,
    webhook_lost: float,
    webhook_repeated: float,
    webhook_late: float,
    webhook_reorder: float,
    webhook_forged: float,
    from_numbers: tuple[str, ...],
) -> None:
    """Run a fake Voicy API locally, to try campaigns without placing real calls.

    With --webhook-url it also posts Voicy's call_ended webhook there when each call's
    post-call processing ends, signed with --webhook-secret, with the faults asked for.
    """
    numbers = given_numbers(from_numbers) or DEFAULT_FROM_NUMBERS
    try:
        faults = Faults(
            p_5xx=p_5xx,
            p_ambiguous=p_ambiguous,
            p_drop=p_drop,
            p_slow=p_slow,
            slow_seconds=slow_seconds,
        )
    except ValueError as exc:
        raise InputError(f"{exc}: lower some of the --p-* options") from None
    clock: Clock = SystemClock()
    clock_env = ""
    if time_scale != 1:
        # Anchored, so a runner given CAMPAIGN_CLOCK shares this compressed time exactly.
        compressed = CompressedClock.anchored(time_scale, epoch=time.time())
        clock, clock_env = compressed, f"CAMPAIGN_CLOCK={compressed.spec()} "
    world = World(
        clock=clock, plan=PLANS[plan_name], seed=seed, faults=faults, from_numbers=numbers
    )
    sender = None
    if webhook_url:
        from campaign.simulator.webhooks import WebhookFaults, WebhookSender

        if not webhook_secret:
            raise InputError(
                "--webhook-url needs the signing secret: set VOICY_WEBHOOK_SECRET (the same "
                "value the receiver has) or pass --webhook-secret"
            )
        webhook_faults = WebhookFaults(
            scope="all" if webhook_scope == "all" else "connected",
            p_lost=webhook_lost,
            p_repeated=webhook_repeated,
            p_late=webhook_late,
            p_forged=webhook_forged,
            reorder_seconds=webhook_reorder,
        )
        sender = WebhookSender(world, webhook_url, webhook_secret, faults=webhook_faults)
    try:
        sock = bind_socket(host, port)
    except OSError as exc:
        raise InputError(
            f"cannot listen on {host}:{port} ({exc.strerror}): pick another --port"
        ) from None
    url = base_url_of(sock)
    click.echo(f"Voicy simulator ({plan_name} plan, seed {seed}) listening on {url}")
    click.echo(f"API key:       {world.api_key}")
    click.echo(f"From numbers:  {', '.join(world.from_numbers)}")
    click.echo("Try, in another terminal:")
    click.echo(
        f"  {clock_env}VOICY_BASE_URL={url} VOICY_API_KEY={world.api_key} "
        f"VOICY_FROM_NUMBERS={','.join(world.from_numbers)} "
        "python -m campaign run sample_lists/contacts.csv"
    )
    if sender is not None:
        click.echo(f"Webhooks:      call_ended to {sender.url} ({sender.faults.describe()})")
    click.echo("Press Ctrl-C to stop.")
    serve_forever(world, sock, sender=sender)
