"""New campaign from the browser: upload a list, check it, map vars, choose settings, start.

Every step calls the CLI's own code: `load_contacts` and `validation_summary` (validate),
`prepare_campaign` (run) and the runner `run` builds (see `campaign.web.launch_runner`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import anyio
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from campaign.caller_numbers import given_numbers
from campaign.campaigns.connect import connect
from campaign.campaigns.create import prepare_campaign
from campaign.contacts import ContactList, load_contacts, validation_summary
from campaign.contacts.vars import needs_value
from campaign.engine.settings import RunSettings
from campaign.errors import CampaignError, InputError, PhoneColumnUnknown
from campaign.formats import isolated
from campaign.i18n import gettext_
from campaign.store.models import Suppression
from campaign.voicy.models import Agent
from campaign.web import launch_form
from campaign.web.context import context_of
from campaign.web.guard import CSRF_FIELD, check_csrf
from campaign.web.launch_resume import ROUTES as RESUME_ROUTES
from campaign.web.launch_resume import resumable_here
from campaign.web.launch_runner import mark_web_launch
from campaign.web.launch_state import LaunchState, launch_of
from campaign.web.templating import render
from campaign.web.uploads import (
    StoredUpload,
    UploadMissing,
    UploadTooLarge,
    capped_form,
)

PREVIEW_ROWS = 5


# --- step 1: upload ------------------------------------------------------------------------


def new_page(request: Request) -> Response:
    return _upload_page(request)


def _upload_page(request: Request, error: str | None = None, status: int = 200) -> Response:
    launch = launch_of(request)
    return render(
        request,
        "launch_upload.html",
        {
            "error": error,
            "limit_mb": launch.upload_limit / 1024 / 1024,
            "simulate": launch.simulate,
            "database": context_of(request).db.display_name(),
            "resumable": resumable_here(context_of(request).db),
        },
        status_code=status,
    )


async def upload(request: Request) -> Response:
    launch = launch_of(request)
    try:
        form = await capped_form(request, launch.upload_limit)
    except UploadTooLarge as exc:
        return _upload_page(request, str(exc), 413)
    check_csrf(request, form.get(CSRF_FIELD))
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return _upload_page(request, gettext_("Choose a CSV or XLSX file first."), 400)
    stored = await launch.uploads.save(file)
    return RedirectResponse(f"/new/{stored.upload_id}", status_code=303)


# --- steps 2-4: check, map, settings ---------------------------------------------------------


@dataclass
class Check:
    """One look at the upload with the form's choices: the page's model."""

    upload: StoredUpload
    values: FormData
    sheets: list[str] = field(default_factory=list)
    agents: list[Agent] = field(default_factory=list)
    agent: Agent | None = None
    contacts: ContactList | None = None
    summary: dict[str, Any] | None = None
    dnc: int = 0
    error: str | None = None
    agent_error: str | None = None
    agent_error_detail: str = ""
    vars: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    #: No agent to check the vars against: why, and each column with the var name it is sent as.
    unchecked: str | None = None
    sent_as: list[dict[str, str]] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    estimate: launch_form.Estimate | None = None
    calendar: Any = None  # campaign.rules.describe.CalendarView for the form's window
    calendar_error: str | None = None
    #: The phone column could not be told: the list's columns to pick it from, and why.
    columns: list[str] = field(default_factory=list)
    phone_problem: str | None = None


def _sheets(upload: StoredUpload) -> list[str]:
    if not upload.filename.lower().endswith((".xlsx", ".xlsm", ".xls")):
        return []
    import pandas as pd

    try:
        with pd.ExcelFile(io.BytesIO(upload.path.read_bytes())) as book:
            return [str(name) for name in book.sheet_names]
    except Exception:  # load_contacts says what is wrong with the file
        return []


async def _agents(settings: RunSettings, wanted: str) -> tuple[list[Agent], Agent | None]:
    """The account's agents, and the one the vars are checked against: the one chosen, else
    the only one (as `run` without --agent does); with several, none until one is chosen."""
    async with connect(settings) as connection:
        agents = await connection.client.list_agents()
        chosen = wanted or (agents[0].agent_id if len(agents) == 1 else "")
        agent = await connection.client.get_agent(chosen) if chosen else None
    return agents, agent


def _unchecked_reason(result: Check) -> str:
    if result.agent_error:
        return gettext_("the account's agents could not be listed")
    if not result.agents:
        return gettext_("the account has no agent")
    return gettext_("the account has %(count)s agents and none is chosen") % {
        "count": len(result.agents)
    }


def _dnc_count(request: Request, contacts: ContactList) -> int:
    numbers = {row.e164 for row in contacts.rows("valid") if row.e164}
    with context_of(request).db.read_session() as session:
        listed = set(session.scalars(select(Suppression.e164)))
    return len(numbers & listed)


async def check(request: Request, form: FormData | None = None) -> Check:
    launch = launch_of(request)
    upload = launch.uploads.get(request.path_params["upload_id"])
    values = form if form is not None else FormData()
    result = Check(upload, values, sheets=await run_in_threadpool(_sheets, upload))
    base = RunSettings(simulate=launch.simulate)
    try:
        result.agents, result.agent = await _agents(base, launch_form.text(values, "agent_id"))
    except Exception as exc:  # no API key, network: the list is still checked
        result.agent_error = gettext_("The agents could not be listed; type the agent id.")
        result.agent_error_detail = str(exc)  # the library's words, shown as they are
    try:
        options = launch_form.import_options(values)
        result.contacts = await run_in_threadpool(
            load_contacts,
            upload.path.read_bytes(),
            options,
            agent=result.agent,
            filename=upload.filename,
        )
    except PhoneColumnUnknown as exc:
        # Said in the page's terms: pick the column in the list of every column.
        result.columns, result.phone_problem = exc.columns, exc.problem
        result.error = gettext_("%(problem)s: choose the phone column above and check again") % {
            "problem": exc.problem
        }
        return result
    except InputError as exc:
        result.error = exc.message
        return result
    contacts = result.contacts
    result.summary = await run_in_threadpool(validation_summary, contacts)
    result.dnc = await run_in_threadpool(_dnc_count, request, contacts)
    try:
        now = context_of(request).clock.now()
        result.calendar = launch_form.calendar_view(values, result.summary, now)
    except InputError as exc:
        result.calendar_error = exc.message
    mapped = {name: column for column, name in contacts.var_mapping.items()}
    if result.agent is None:  # unchecked: the columns are sent under these names
        result.unchecked = _unchecked_reason(result)
        result.sent_as = [
            {"column": column, "name": contacts.var_mapping.get(column, "")}
            for column in contacts.columns
            if column != contacts.phone_column
            and (column in contacts.var_mapping or launch_form.is_free_mapping(values))
        ]
    else:
        for var in result.agent.vars_provided:
            required = needs_value(var)
            column = mapped.get(var.name, "")
            result.vars.append(
                {
                    "name": var.name,
                    "required": required,
                    "column": column,
                    "default": var.default_value,
                    "description": var.description,
                }
            )
            if required and not column:
                result.missing.append(var.name)
    result.preview = [
        {"line": row.line, "to": row.e164, "vars": row.vars}
        for _, row in zip(range(PREVIEW_ROWS), contacts.rows("valid"), strict=False)
    ]
    return result


def _page(
    request: Request, result: Check, *, status: int = 200, error: str | None = None
) -> Response:
    launch = launch_of(request)
    return render(
        request,
        "launch_check.html",
        {
            "c": result,
            "v": result.values,
            "defaults": RunSettings(),
            "known_numbers": _known_numbers(launch),
            "chosen_numbers": result.values.getlist("from_number"),
            "simulate": launch.simulate,
            "start_error": error,
            "database": context_of(request).db.display_name(),
        },
        status_code=status,
    )


def _known_numbers(launch: LaunchState) -> list[str]:
    """Caller numbers offered as checkboxes (the API does not list them): $VOICY_FROM_NUMBERS,
    which a rehearsal's simulator owns too, else under simulate the simulator's own."""
    try:
        numbers = list(given_numbers())
    except InputError:
        numbers = []  # a malformed variable: the numbers are typed in the form instead
    if numbers or not launch.simulate:
        return numbers
    from campaign.simulator import DEFAULT_FROM_NUMBERS

    return list(DEFAULT_FROM_NUMBERS)


async def check_page(request: Request) -> Response:
    return _page(request, await check(request))


async def _posted(request: Request) -> FormData:
    form = await capped_form(request, launch_of(request).upload_limit)
    check_csrf(request, form.get(CSRF_FIELD))
    return form


async def recheck(request: Request) -> Response:
    """The form sent back: check again, estimate (dry run) or start."""
    launch = launch_of(request)
    try:
        form = await _posted(request)
    except UploadTooLarge as exc:
        return _page(request, await check(request), status=413, error=str(exc))
    upload = launch.uploads.get(request.path_params["upload_id"])
    for dnc in form.getlist("dnc"):
        if isinstance(dnc, UploadFile) and dnc.filename:
            await launch.uploads.add_dnc(upload, dnc)
    values = FormData([(k, v) for k, v in form.multi_items() if isinstance(v, str)])
    result = await check(request, values)
    action = launch_form.text(values, "action")
    if action not in ("estimate", "start"):
        return _page(request, result)
    try:
        settings = launch_form.run_settings(values, simulate=launch.simulate)
        if result.agent is not None:
            settings = settings.with_overrides(agent_id=result.agent.agent_id)
    except InputError as exc:
        return _page(request, result, status=400, error=exc.message)
    if result.contacts is None:
        return _page(request, result, status=400, error=result.error)
    if action == "estimate":
        result.estimate = launch_form.estimate(result.contacts.counts["valid"], settings)
        return _page(request, result)
    if result.missing:
        return _page(
            request,
            result,
            status=400,
            error=gettext_(
                "Map a column to each of %(vars)s: the agent needs them and has no default."
            )
            % {"vars": isolated(", ".join(result.missing))},
        )
    return await _start(request, result, settings)


async def _start(request: Request, result: Check, settings: RunSettings) -> Response:
    launch = launch_of(request)
    context = context_of(request)
    contacts = result.contacts
    assert contacts is not None
    try:
        prepared = await run_in_threadpool(
            lambda: prepare_campaign(
                context.db,
                contacts,
                settings,
                now=context.clock.now(),
                name=launch_form.text(result.values, "name") or None,
                dnc_files=result.upload.dnc_paths(),
                region=contacts.region,
            )
        )
        await run_in_threadpool(mark_web_launch, context.db, prepared.campaign.id, context.clock)
        launch.runners.start(prepared.campaign.id, settings)
    except (CampaignError, RuntimeError) as exc:
        message = exc.message if isinstance(exc, CampaignError) else str(exc)
        return _page(request, result, status=409, error=message)
    context.changed(prepared.campaign.id)
    await anyio.sleep(0)
    return RedirectResponse(f"/campaigns/{prepared.campaign.id}", status_code=303)


async def rejected_csv(request: Request) -> Response:
    """The rejected rows as `validate --rejected` writes them, for the options in the query."""
    launch = launch_of(request)
    upload = launch.uploads.get(request.path_params["upload_id"])
    values = dict(request.query_params)
    options = launch_form.import_options(values)
    contacts = await run_in_threadpool(
        load_contacts, upload.path.read_bytes(), options, filename=upload.filename
    )
    path = upload.folder / "rejected.csv"
    await run_in_threadpool(contacts.write_rejected, path)
    stem = upload.filename.rsplit(".", 1)[0]
    return FileResponse(path, media_type="text/csv", filename=f"{stem}-rejected.csv")


async def missing_upload(request: Request, exc: Exception) -> Response:
    return _upload_page(
        request,
        gettext_(
            "That upload is gone (the server restarted or the link is wrong): upload the list "
            "again."
        ),
        404,
    )


ROUTES = [
    Route("/new", new_page, methods=["GET"]),
    Route("/new", upload, methods=["POST"]),
    Route("/new/{upload_id}", check_page, methods=["GET"]),
    Route("/new/{upload_id}", recheck, methods=["POST"]),
    Route("/new/{upload_id}/rejected.csv", rejected_csv, methods=["GET"]),
    *RESUME_ROUTES,
]

EXCEPTION_HANDLERS = {UploadMissing: missing_upload}
