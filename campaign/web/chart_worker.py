"""Drawing charts in a process of their own, so the web server's interpreter stays free.

The worker is `python -m campaign.web.chart_worker`: it reads one JSON request per line on
stdin (`{"url", "name", "version", "zone", "language"}`) and answers one JSON line
(`{"html"}` or `{"error"}`).
A plain child process, not multiprocessing: nothing of the parent's main script runs again.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

from campaign.clock import SystemClock
from campaign.errors import CampaignError, CampaignNotFound


class ChartWorkerError(Exception):
    """The worker could not draw (its message says why) or died."""


class ChartWorker:
    """The parent's handle on one worker process, started on first use."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    def draw(
        self, url: str, name: str, version: str, zone: str | None = None, language: str = "en"
    ) -> str:
        with self._lock:
            process = self._running()
            assert process.stdin is not None and process.stdout is not None
            try:
                asked = {"url": url, "name": name, "version": version, "zone": zone}
                process.stdin.write(json.dumps({**asked, "language": language}) + "\n")
                process.stdin.flush()
                line = process.stdout.readline()
            except (BrokenPipeError, OSError) as exc:
                self._stop()
                raise ChartWorkerError(f"the chart worker stopped ({exc})") from exc
            if not line:
                self._stop()
                raise ChartWorkerError("the chart worker stopped; the next request starts one")
        answer = json.loads(line)
        if "html" in answer:
            return str(answer["html"])
        if answer.get("kind") == "not_found":
            raise CampaignNotFound(str(answer["error"]))
        raise ChartWorkerError(str(answer.get("error")))

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _running(self) -> subprocess.Popen[str]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        root = str(Path(__file__).resolve().parents[2])  # where the `campaign` package is
        paths = [root, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
        self._process = subprocess.Popen(
            [sys.executable, "-m", "campaign.web.chart_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
        )
        return self._process

    def start(self) -> None:
        """Start the worker now: its imports take seconds the first page need not wait.

        Never waits: a worker busy drawing (holding the lock for seconds) is running already,
        and a page asking to warm it must not wait for that drawing to end.
        """
        if not self._lock.acquire(blocking=False):
            return
        try:
            self._running()
        finally:
            self._lock.release()

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        process.terminate()  # a drawing in progress is not worth waiting for
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def serve(requests: IO[str], answers: IO[str]) -> None:
    """The worker's loop: one open database per URL for the process's life."""
    from campaign.store.db import Database, open_db
    from campaign.web.chart_drawing import charts_html  # imports pandas and matplotlib now

    databases: dict[str, Database] = {}
    for line in requests:
        request = json.loads(line)
        answer: dict[str, Any]
        try:
            url = str(request["url"])
            if url not in databases:
                databases[url] = open_db(url, migrate=False)
            zone = request.get("zone")
            answer = {
                "html": charts_html(
                    databases[url],
                    str(request["name"]),
                    str(request["version"]),
                    SystemClock(),
                    str(zone) if zone else None,
                    str(request.get("language") or "en"),
                )
            }
        except CampaignNotFound as exc:
            answer = {"error": exc.message, "kind": "not_found"}
        except CampaignError as exc:
            answer = {"error": exc.message}
        except Exception as exc:  # the parent shows it; the worker keeps serving
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


if __name__ == "__main__":
    if hasattr(os, "nice"):
        os.nice(10)  # drawing may wait; the web server and the runners may not
    serve(sys.stdin, sys.stdout)
