"""What the launch pages share, kept on `app.state.launch`."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from campaign.web.launch_runner import BrowserRunners
from campaign.web.uploads import UploadStore


@dataclass
class LaunchState:
    uploads: UploadStore
    runners: BrowserRunners
    simulate: bool = False
    upload_limit: int = 50 * 1024 * 1024


def launch_of(request: Request) -> LaunchState:
    state = request.app.state.launch
    assert isinstance(state, LaunchState)
    return state
