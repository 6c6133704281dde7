"""Uploaded lists kept in a temporary folder, keyed by a random id, read with a size cap.

A body over the limit is refused from its Content-Length before any of it is read, and
a body without one (chunked) is counted while it streams and dropped at the limit.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from campaign.i18n import gettext_

DEFAULT_UPLOAD_LIMIT = 50 * 1024 * 1024
_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
#: Characters of an uploaded file's name kept besides letters and digits.
_KEPT = frozenset("._ -()")


class UploadTooLarge(Exception):
    """The request body is over the server's upload limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            gettext_(
                "the file is larger than the %(limit)s MB limit: split the list, or save it as "
                "CSV (smaller than XLSX)"
            )
            % {"limit": f"{limit / 1024 / 1024:g}"}
        )


class UploadMissing(Exception):
    """No upload under that id (expired with a restart of serve, or never made)."""


@dataclass(frozen=True)
class StoredUpload:
    upload_id: str
    folder: Path
    filename: str

    @property
    def path(self) -> Path:
        return self.folder / "list"

    def dnc_paths(self) -> list[Path]:
        return sorted(self.folder.glob("dnc-*"))


async def capped_form(request: Request, limit: int) -> FormData:
    """The request's form, refusing a body over `limit` bytes before it is read whole."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise UploadTooLarge(limit)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise UploadTooLarge(limit)
    replayed = False

    async def receive() -> dict[str, object]:
        nonlocal replayed
        if replayed:
            return {"type": "http.disconnect"}
        replayed = True
        return {"type": "http.request", "body": bytes(body), "more_body": False}

    return await Request(request.scope, receive).form(max_part_size=limit)


class UploadStore:
    """Temporary folder of uploads; removed when the app stops."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="campaign-uploads-", dir=root))

    async def save(self, file: UploadFile) -> StoredUpload:
        upload_id = secrets.token_urlsafe(18)
        folder = self.root / upload_id
        folder.mkdir()
        filename = _clean_name(file.filename or "list.csv")
        (folder / "list").write_bytes(await file.read())
        (folder / "meta.json").write_text(json.dumps({"filename": filename}))
        return StoredUpload(upload_id, folder, filename)

    def get(self, upload_id: str) -> StoredUpload:
        folder = self.root / upload_id
        if not _ID.match(upload_id) or not (folder / "meta.json").is_file():
            raise UploadMissing(upload_id)
        meta = json.loads((folder / "meta.json").read_text())
        return StoredUpload(upload_id, folder, str(meta["filename"]))

    async def add_dnc(self, upload: StoredUpload, file: UploadFile) -> Path:
        name = _clean_name(file.filename or "dnc.csv")
        path = upload.folder / f"dnc-{len(upload.dnc_paths())}-{name}"
        path.write_bytes(await file.read())
        return path

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _clean_name(name: str) -> str:
    """A display and extension-bearing name without any path part. Letters and digits of
    every script stay (`מרפאה-תורים.csv` keeps its Hebrew name); anything else but `._ -()`
    becomes `_`, including the invisible bidi controls that could make `gpj.exe` look like
    `exe.jpg`. The file itself is always stored as `list`: the name is only shown."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    cleaned = "".join(char if char.isalnum() or char in _KEPT else "_" for char in base)
    return cleaned.strip(" .")[:120] or "list.csv"
