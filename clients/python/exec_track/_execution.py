"""An execution: the block, function or cell being tracked."""

import json
import math
import os
import shutil
import sys
import time
import traceback
import warnings
from typing import Any, Dict, List, Optional, Type

from ._capture import start_capture
from ._sidecar import INSTALL_HINT, PROTOCOL, ExecTrackError, Sidecar, niced, now_ms, sidecar_command, spawn_failure


class ExecTrackWarning(UserWarning):
    """Tracking failed and the code runs untracked (see ``strict``)."""


def _value(v: float) -> str:
    """A metric value as JSON text the sidecar protocol reads: a number, or ``"NaN"``,
    ``"Infinity"``, ``"-Infinity"`` (JSON has none of them; docs/clients.md).

    :raises TypeError, ValueError: when ``v`` is no number (``float()`` refuses it).
    """
    v = float(v)
    if math.isnan(v):
        return '"NaN"'
    if math.isinf(v):
        return '"Infinity"' if v > 0 else '"-Infinity"'
    return repr(v)  # a finite float's repr is a JSON number


#: The longest metric key the sidecar takes (src/protocol/sidecar.ts, ``metricsEvent``).
MAX_KEY_LENGTH = 200

#: Keys the sidecar refuses: its own resource samples (src/protocol/system-metrics.ts).
SYSTEM_PREFIX = "sys/"

#: The JSON text of each metric key seen (keys repeat at every call).
_keys: Dict[str, str] = {}


def _key(key: str) -> str:
    text = _keys.get(key)
    if text is None:
        text = _keys[key] = json.dumps(key, ensure_ascii=False)
    return text


class Execution:
    """One tracked execution. Use it as a context manager (``with exec_track.execution(...) as ex``),
    or call :meth:`begin` and :meth:`finish` (``exec_track.start()``/``exec_track.finish()``).

    Tracking never breaks the code it tracks: when the sidecar cannot start, one
    :class:`ExecTrackWarning` and the code runs untracked (with ``strict=True``,
    :class:`ExecTrackError` instead). Leaving does not wait for the sidecar: it records the rest
    while the program goes on, and the interpreter's exit waits at most ``exit_wait`` seconds for it.
    """

    def __init__(
        self,
        name: Optional[str] = None,
        session: Optional[str] = None,
        *,
        server: Optional[str] = None,
        capture: Optional[str] = "sys",
        strict: bool = False,
        exit_wait: float = 2.0,
        start_wait: float = 10.0,
        buffer_bytes: int = 64 * 2**20,
        description: Optional[str] = None,
        command: Optional[List[str]] = None,
    ) -> None:
        self.name = name
        self.session = session
        self.server = server
        self.capture = capture
        self.strict = strict
        self.exit_wait = exit_wait
        self.start_wait = start_wait
        self.buffer_bytes = buffer_bytes
        self.description = description
        self.command = command if command is not None else [os.path.basename(sys.executable or "python"), *sys.argv]
        self._sidecar: Optional[Sidecar] = None
        self._capture: Optional[Any] = None
        self._open = False
        self._ended: Optional[Sidecar] = None
        self._warned_misuse = False

    @property
    def state(self) -> Optional[str]:
        """The final state, once the sidecar has recorded it (None before: see :meth:`wait`)."""
        return self._ended.state if self._ended else None

    def wait(self, timeout: Optional[float] = None) -> Optional[str]:
        """After the end, waits at most ``timeout`` seconds (None: no limit) for the sidecar to record
        everything and exit. Returns :attr:`state` (None if it is not recorded yet)."""
        if self._ended is not None:
            self._ended.wait(timeout)
        return self.state

    @property
    def id(self) -> Optional[str]:
        """The execution id (None when untracked). Waits at most ``start_wait`` seconds for the
        sidecar's answer when it has not come yet."""
        sidecar = self._sidecar or self._ended
        if sidecar is None:
            return None
        if sidecar.execution_id is None:
            sidecar.start_now.set()
            sidecar.answered.wait(self.start_wait)
        return sidecar.execution_id

    @property
    def session_id(self) -> Optional[str]:
        sidecar = self._sidecar or self._ended
        return sidecar.session_id if sidecar else None

    @property
    def dropped(self) -> int:
        """Writes and events dropped because the outbox was full (the sidecar fell behind)."""
        sidecar = self._sidecar or self._ended
        return sidecar.dropped if sidecar else 0

    def __enter__(self) -> "Execution":
        return self.begin()

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Any) -> bool:
        self.finish(exc)
        return False

    def begin(self) -> "Execution":
        """Starts the sidecar and the capture. Returns self.

        :raises ExecTrackError: with ``strict=True``, when the sidecar cannot start or does not answer within ``start_wait`` seconds.
        """
        if self._open:
            return self
        self._open = True
        self._sidecar = self._spawn()
        if self._sidecar is None:
            return self
        self._sidecar.send(
            {
                "type": "start",
                "protocol": PROTOCOL,
                "name": self.name,
                "session": self.session,
                "command": self.command or None,
                "description": self.description,
                "ts": now_ms(),
            }
        )
        if self.strict:
            self._sidecar.answered.wait(self.start_wait)
            if self._sidecar.execution_id is None:
                problem = self._sidecar.problem or f"exec-track record did not answer within {self.start_wait} s"
                self._sidecar.close(0)
                self._sidecar = None
                raise ExecTrackError(problem)
        # told when found (from a background thread), during the block or after it
        self._sidecar.when_problem(lambda problem: warnings.warn(problem, ExecTrackWarning, stacklevel=2))
        self._capture = start_capture(self.capture, self._sidecar.output)
        return self

    def log(self, step: Optional[int] = None, **values: float) -> None:
        """Records metric points directly: ``ex.log(loss=0.3, acc=0.9, step=3)``. Without ``step``
        each key counts on from its previous step. Never blocks; a value that is no number is skipped."""
        if self._sidecar is None or not values:
            return
        if step is not None and (not isinstance(step, int) or step < 0):
            return self._misused(f"ex.log(step={step!r}) was skipped: a step is an integer >= 0")
        # the event's JSON line is written here, without json.dumps (~3x the cost)
        pairs = []
        for key, v in values.items():
            if not 0 < len(key) <= MAX_KEY_LENGTH:
                self._misused(f"ex.log() skipped a key of {len(key)} characters: a key has 1 to {MAX_KEY_LENGTH}")
                continue
            if key.startswith(SYSTEM_PREFIX):
                self._misused(f"ex.log() skipped {key!r}: keys under {SYSTEM_PREFIX} are exec-track's own resource samples")
                continue
            try:
                pairs.append(_key(key) + ":" + _value(v))
            except (TypeError, ValueError, OverflowError):
                continue
        if not pairs:
            return
        tail = "}\n" if step is None else ',"step":%d}\n' % int(step)
        line = '{"type":"metrics","values":{' + ",".join(pairs) + '},"ts":' + str(now_ms()) + tail
        self._sidecar.send_line(line.encode("utf-8", "replace"), urgent=False)

    def _misused(self, message: str) -> None:
        """Warns once per execution of a call of :meth:`log` that could not be recorded as made."""
        if not self._warned_misuse:
            self._warned_misuse = True
            warnings.warn(message, ExecTrackWarning, stacklevel=3)

    def finish(self, error: Optional[BaseException] = None) -> None:
        """Ends the execution: without ``error`` → ``Passive``; ``KeyboardInterrupt`` → ``Execution
        crushed`` with SIGINT, reason ``interrupted``; another exception → ``Execution crushed``
        with reason ``Type: message`` and its traceback recorded as stderr lines. Does not wait for
        the sidecar (only, at most ``exit_wait`` seconds, for room in a full outbox): it records the
        rest on its own; :meth:`wait` waits for it, and so does the interpreter's exit."""
        if not self._open:
            return
        self._open = False
        if isinstance(error, GeneratorExit):  # a tracked generator closed early ends normally
            error = None
        if self._capture is not None:
            self._capture.stop(min(self.exit_wait, 1.0))
            self._capture = None
        sidecar, self._sidecar = self._sidecar, None
        if sidecar is None:
            return
        # the end may wait for room in the outbox (the outcome matters most), within exit_wait in all
        deadline = time.monotonic() + self.exit_wait
        if error is not None and not isinstance(error, (KeyboardInterrupt, SystemExit)):
            text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
            sidecar.send({"type": "line", "stream": "stderr", "text": text.rstrip("\n"), "ts": now_ms()}, wait=max(0.0, deadline - time.monotonic()) / 2)
        sidecar.send({"type": "finish", "ts": now_ms(), **_outcome(error)}, wait=max(0.0, deadline - time.monotonic()))
        sidecar.end()
        self._ended = sidecar
        # a start still to come (the block was short) is not waited for: a problem is told when found
        if sidecar.dropped:
            warnings.warn(
                f"exec-track fell behind and dropped {sidecar.dropped} writes of output or events of this execution (a line in its record marks where)",
                ExecTrackWarning,
                stacklevel=3,
            )

    def _spawn(self) -> Optional[Sidecar]:
        env = dict(os.environ)
        argv = sidecar_command(env)
        if argv is None:
            return self._fail(f"exec-track was not found; {INSTALL_HINT}")
        if shutil.which(argv[0], path=env.get("PATH")) is None:  # told now: `nice` would start and then fail
            return self._fail(spawn_failure(argv[0], FileNotFoundError(f"no such program: {argv[0]}")))
        program = argv[0]
        argv = [*argv, "record", "--quiet"]
        if self.server:
            argv += ["--server", self.server]
        try:
            # the block does not wait for the sidecar's start unless strict (a failure is told when found)
            return Sidecar(niced(argv, env.get("PATH")), env, self.buffer_bytes, self.exit_wait, background=not self.strict, program=program)
        except OSError as e:
            return self._fail(spawn_failure(program, e))

    def _fail(self, message: str) -> None:
        if self.strict:
            raise ExecTrackError(message)
        warnings.warn(f"{message}; this block runs untracked", ExecTrackWarning, stacklevel=4)
        return None


def _outcome(error: Optional[BaseException]) -> Dict[str, Any]:
    if error is None:
        return {"ok": True}
    if isinstance(error, KeyboardInterrupt):
        return {"ok": False, "signal": "SIGINT", "reason": "interrupted"}
    if isinstance(error, SystemExit):
        code = error.code
        if code is None or code == 0:
            return {"ok": True, "exitCode": 0}
        if isinstance(code, int):
            return {"ok": False, "exitCode": code, "reason": f"SystemExit: {code}"}
        return {"ok": False, "exitCode": 1, "reason": f"SystemExit: {code}"}
    message = str(error)
    reason = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return {"ok": False, "reason": reason[:1000]}
