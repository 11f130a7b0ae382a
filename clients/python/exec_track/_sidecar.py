"""The sidecar process (`exec-track record`) and the bounded queue + thread that feeds it."""

import json
import os
import queue
import shlex
import shutil
import subprocess
import threading
import time
from typing import Any, Dict, List, Mapping, Optional

#: The sidecar protocol version this client speaks (docs/clients.md).
PROTOCOL = 1

INSTALL_HINT = (
    "install exec-track (`npm install -g exec-track`, or `npm link` in a clone) or set "
    "EXEC_TRACK_BIN to its path"
)

_CLOSE = object()

#: Sidecars still delivering after their client stopped waiting: kept referenced, never killed.
_delivering: List["Sidecar"] = []


class ExecTrackError(RuntimeError):
    """Tracking could not start (raised only with ``strict=True``)."""


def sidecar_command(env: Mapping[str, str]) -> Optional[List[str]]:
    """The command that starts the sidecar: ``EXEC_TRACK_BIN`` (split like a shell word list),
    else ``exec-track`` on PATH, else ``npx --no exec-track`` (never downloads); None when none exists."""
    configured = env.get("EXEC_TRACK_BIN", "").strip()
    if configured:
        return shlex.split(configured)
    path = env.get("PATH")
    found = shutil.which("exec-track", path=path)
    if found:
        return [found]
    npx = shutil.which("npx", path=path)
    if npx:
        return [npx, "--no", "exec-track"]
    return None


class Sidecar:
    """A running ``exec-track record`` child fed by a background thread.

    :meth:`send` never blocks: events go into a bounded queue (``queue_size`` events); when it is
    full the event is dropped and counted in :attr:`dropped`. The sidecar runs in its own session
    (process group), so a Ctrl-C meant for the program does not reach it.
    """

    def __init__(self, argv: List[str], env: Mapping[str, str], queue_size: int) -> None:
        self.dropped = 0
        self.broken = False
        self.execution_id: Optional[str] = None
        self.session_id: Optional[str] = None
        self.state: Optional[str] = None
        self.answered = threading.Event()
        self._queue: "queue.Queue[Any]" = queue.Queue(maxsize=queue_size)
        self._proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=dict(env),
            start_new_session=True,
        )
        self._writer = threading.Thread(target=self._write_loop, name="exec-track-writer", daemon=True)
        self._reader = threading.Thread(target=self._read_loop, name="exec-track-reader", daemon=True)
        self._writer.start()
        self._reader.start()

    @property
    def pid(self) -> int:
        return self._proc.pid

    def exit_code(self) -> Optional[int]:
        """The sidecar's exit code, None while it runs."""
        return self._proc.poll()

    def send(self, event: Dict[str, Any], wait: float = 0.0) -> None:
        """Queues one event; a queue still full after ``wait`` seconds (default: at once) drops it."""
        try:
            if wait > 0:
                self._queue.put(event, timeout=wait)
            else:
                self._queue.put_nowait(event)
        except queue.Full:
            self.dropped += 1

    def close(self, wait: float) -> bool:
        """Lets the thread write what is queued, closes the sidecar's stdin and waits for it to exit,
        all within ``wait`` seconds. Returns True when it exited; otherwise it is left running to
        deliver the rest on its own."""
        deadline = time.monotonic() + wait
        try:
            self._queue.put(_CLOSE, timeout=max(0.0, wait))
        except queue.Full:
            _delivering.append(self)
            return False
        self._writer.join(max(0.0, deadline - time.monotonic()))
        _delivering[:] = [s for s in _delivering if s._proc.poll() is None]
        try:
            self._proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _delivering.append(self)
            return False
        self._reader.join(max(0.0, deadline - time.monotonic()))
        return True

    def _write_loop(self) -> None:
        stdin = self._proc.stdin
        assert stdin is not None
        while True:
            batch = [self._queue.get()]
            # write what waits in one go: a pipe write per event cost more than the events
            while len(batch) < 1000:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            closing = batch[-1] is _CLOSE
            events = [e for e in batch if e is not _CLOSE]
            if events and not self.broken:
                data = "".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n" for e in events)
                try:
                    stdin.write(data.encode("utf-8", "replace"))
                    stdin.flush()
                except (OSError, ValueError):
                    self.broken = True
            if closing:
                break
        try:
            stdin.close()
        except (OSError, ValueError):
            pass

    def _read_loop(self) -> None:
        stdout = self._proc.stdout
        assert stdout is not None
        for raw in stdout:
            try:
                reply = json.loads(raw)
            except ValueError:
                continue
            if reply.get("type") == "started":
                self.execution_id = reply.get("executionId")
                self.session_id = reply.get("sessionId")
                self.answered.set()
            elif reply.get("type") == "finished":
                self.state = reply.get("state")
        stdout.close()
        self.answered.set()
