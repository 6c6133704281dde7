"""Download buttons: the very files `python -m campaign export` writes, made by its code."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from campaign.i18n import gettext_
from campaign.outcomes.export import default_export_path, export
from campaign.web.context import context_of
from campaign.web.errors import NotFound
from campaign.web.lookup import campaign_ref

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def results_file(request: Request) -> Response:
    context = context_of(request)
    fmt = request.path_params["fmt"]
    if fmt not in MEDIA_TYPES:
        raise NotFound(gettext_("Results download as results.csv or results.xlsx."))
    ref = campaign_ref(context.db, request.path_params["campaign_id"])
    name = default_export_path(ref.name).with_suffix(f".{fmt}").name
    folder = tempfile.mkdtemp(prefix="campaign-download-")
    try:
        path = Path(folder) / name
        export(context.db, ref.name, path)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(
        path,
        filename=name,
        media_type=MEDIA_TYPES[fmt],
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


ROUTES = [
    Route("/campaigns/{campaign_id:int}/results.{fmt:str}", results_file),
]
