"""The sidecar process (`exec-track record`) and the bounded outbox + thread that feed it."""

import atexit
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from typing import Any, Callable, Dict, List, Mapping, Optional, Union

from ._outbox import Outbox, now_ms

#: The sidecar protocol version this client speaks (docs/clients.md).
PROTOCOL = 2

INSTALL_HINT = (
    "install exec-track (`npm install -g exec-track`, or `npm link` in a clone) or set "
    "EXEC_TRACK_BIN to its path"
)

#: How often (ms) the writer thread sends what the program printed.
BATCH_MS = 50

#: How much lower the sidecar's CPU priority is than the program's (``nice -n``): when the cores are
#: busy it yields them to the program (and, sharing its session, it does not get a CPU share of its
#: own beside the program's under Linux's autogroup scheduling); on a free core it runs at full speed.
SIDECAR_NICE = 10

#: How long (s) the background start of the sidecar waits, unless something needs it sooner (the
#: block's end, its id): its Node start-up (~0.2 s of CPU) then does not compete with the program's
#: first moments, and a block shorter than this does not share the cores with it at all.
START_AFTER = 0.25

#: Past this many bytes waiting, a write wakes the writer thread before :data:`BATCH_MS`: the ring
#: stays in memory already touched.
WAKE_BYTES = 256 * 1024

#: The size asked for the pipe to the sidecar (Linux, at most /proc/sys/fs/pipe-max-size): what the
#: program prints while the sidecar starts waits in the kernel rather than in Python objects.
PIPE_BYTES = 2**20

#: Sidecars whose execution ended and that may still be delivering: kept referenced, never killed;
#: the interpreter's exit waits for them (:func:`wait_delivering`).
_delivering: List["Sidecar"] = []

#: Sidecars of executions still open (not ended): at the interpreter's exit their events end without
#: ``finish`` (the sidecar records the client vanished), as when the process dies.
_open: List["Sidecar"] = []


def spawn_failure(program: str, error: OSError) -> str:
    """What a warning or :class:`ExecTrackError` says when ``program`` (the sidecar) cannot start."""
    return f"could not start {program} ({error}); {INSTALL_HINT}"


class ExecTrackError(RuntimeError):
    """Tracking could not start (raised only with ``strict=True``)."""


def niced(argv: List[str], path: Optional[str]) -> List[str]:
    """``argv`` run by ``nice -n`` :data:`SIDECAR_NICE` when ``nice`` is on ``path``, else as it is."""
    nice = shutil.which("nice", path=path)
    return [nice, "-n", str(SIDECAR_NICE), *argv] if nice else argv


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

    With ``background=True`` the child is started by the writer thread, so that the program does not
    wait for its start; a start that fails is a :attr:`problem` (the outbox is discarded, as for a
    sidecar that died). :meth:`output` and :meth:`send` never block: what the
    program prints (as written) and the events wait, framed, in one :class:`Outbox` of ``buffer_bytes``
    in the order they came, what one stream got in a row as one ``output`` event (raw bytes: the
    sidecar cuts the lines, docs/clients.md); every :data:`BATCH_MS` a writer thread writes all that
    waited to the sidecar's stdin at once. What does not fit is dropped and counted in :attr:`dropped`. The sidecar runs in its own process group (Python < 3.11: its own session), so a
    Ctrl-C meant for the program does not reach it.
    """

    def __init__(self, argv: List[str], env: Mapping[str, str], buffer_bytes: int, exit_wait: float = 2.0, background: bool = False, program: str = "") -> None:
        #: the sidecar's program as the user named it (``argv`` may start with ``nice``), for messages
        self.program = program or argv[0]
        #: how long the interpreter's exit waits for this sidecar to deliver (s)
        self.exit_wait = exit_wait
        self.broken = False
        self.execution_id: Optional[str] = None
        self.session_id: Optional[str] = None
        self.state: Optional[str] = None
        self.answered = threading.Event()
        self._outbox = Outbox(buffer_bytes)
        self._closing = False
        self._wake = threading.Event()
        #: what went wrong with the tracking, said once (:meth:`when_problem`): no start, or an end too soon
        self.problem: Optional[str] = None
        self._tell: Optional[Callable[[str], None]] = None
        self._tell_lock = threading.Lock()
        #: set when the child must start now (see :data:`START_AFTER`)
        self.start_now = threading.Event()
        self._proc: Optional["subprocess.Popen[bytes]"] = None
        self._reader = threading.Thread(target=self._read_loop, name="exec-track-reader", daemon=True)
        self._writer = threading.Thread(target=self._write_loop, name="exec-track-writer", daemon=True)
        if background:
            # the sidecar's errors go to the program's stderr as it is now, not into a capture of fd 2
            self._spawn_args: Any = (argv, env, os.dup(2))
        else:
            self._spawn_args = None
            self._spawn(argv, env, None)
        self._writer.start()
        _open.append(self)

    def _spawn(self, argv: List[str], env: Mapping[str, str], stderr: Optional[int]) -> None:
        """:raises OSError: when the child cannot start."""
        # a process group of its own in the program's session (its own session before 3.11)
        group: Dict[str, Any] = {"process_group": 0} if sys.version_info >= (3, 11) else {"start_new_session": True}
        try:
            self._proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, env=dict(env), **group)
        except OSError:
            self.answered.set()
            raise
        assert self._proc.stdin is not None
        _grow_pipe(self._proc.stdin.fileno())
        self._reader.start()

    @property
    def dropped(self) -> int:
        """Writes and events dropped because the outbox was full."""
        return self._outbox.dropped

    def _busy(self) -> bool:
        """Still to start, delivering or running."""
        return self._writer.is_alive() or (self._proc is not None and self._proc.poll() is None)

    def output(self, stream: str, text: Union[str, bytes, bytearray, memoryview]) -> None:
        """Queues what the program wrote on ``stream`` (``"stdout"``/``"stderr"``), in pieces as
        written: text, or bytes (UTF-8, a character may be cut between pieces), copied at once."""
        if self._outbox.output(stream, text.encode("utf-8", "replace") if type(text) is str else text) > WAKE_BYTES:  # type: ignore[union-attr]
            if not self._wake.is_set():
                self._wake.set()

    def send(self, event: Dict[str, Any], wait: float = 0.0) -> None:
        """Queues one event (:meth:`send_line` of its JSON); events other than ``metrics`` are written at once."""
        self.send_line(_encode(event).encode("utf-8", "replace"), event.get("type") != "metrics", wait)

    def send_line(self, line: bytes, urgent: bool, wait: float = 0.0) -> None:
        """Queues one event's JSON line (ending in a newline); when the outbox is still full after ``wait``
        seconds (default: at once) it is dropped. ``urgent`` wakes the writer now."""
        if not self._outbox.event(line):
            deadline = time.monotonic() + wait
            while True:
                if time.monotonic() >= deadline or self._closing:
                    self._outbox.drop()
                    return
                time.sleep(0.01)
                if self._outbox.event(line):
                    break
        if urgent:
            self._wake.set()

    def end(self) -> None:
        """Lets the writer send what is queued, then close the sidecar's stdin; returns at once. The
        sidecar then records the rest and exits on its own (:meth:`wait`, :func:`wait_delivering`)."""
        self._closing = True
        self.start_now.set()
        self._wake.set()
        if self in _open:
            _open.remove(self)
        _delivering[:] = [s for s in _delivering if s._busy()]
        _delivering.append(self)

    def wait(self, timeout: Optional[float]) -> bool:
        """Waits at most ``timeout`` seconds (None: no limit) for the writer to send all, the sidecar to
        exit and its last reply to be read. Returns True when it exited."""
        deadline = None if timeout is None else time.monotonic() + timeout
        left = lambda: None if deadline is None else max(0.0, deadline - time.monotonic())  # noqa: E731
        self._writer.join(left())
        if self._writer.is_alive():
            return False
        if self._proc is None:  # it never started
            return True
        try:
            self._proc.wait(left())
        except subprocess.TimeoutExpired:
            return False
        self._reader.join(left())
        return True

    def when_problem(self, tell: Callable[[str], None]) -> None:
        """Calls ``tell(problem)`` once if the tracking fails: the sidecar could not start, exited
        without starting an execution, or stopped before the execution ended. Now if that is known
        already, else from the thread that finds it."""
        with self._tell_lock:
            self._tell = tell
        self._report(None)

    def _report(self, problem: Optional[str]) -> None:
        """Keeps the first ``problem`` and tells it if someone listens (:meth:`when_problem`)."""
        with self._tell_lock:
            if problem is not None and self.problem is None:
                self.problem = problem
            tell, problem = self._tell, self.problem
            if tell is None or problem is None:
                return
            self._tell = None
        tell(problem)

    def close(self, wait: float) -> bool:
        """:meth:`end` then :meth:`wait` (at most ``wait`` seconds)."""
        self.end()
        return self.wait(wait)

    def _write_loop(self) -> None:
        if self._spawn_args is not None:
            argv, env, stderr = self._spawn_args
            self.start_now.wait(START_AFTER)
            try:
                self._spawn(argv, env, stderr)
            except OSError as e:
                self.broken = True
                self._report(f"{spawn_failure(self.program, e)}; this block runs untracked")
            finally:
                os.close(stderr)
        stdin = self._proc.stdin if self._proc is not None else None
        closing = False
        while not closing:
            # waking this thread for each print would cost the program a GIL hand-over each time
            self._wake.wait(BATCH_MS / 1000)
            self._wake.clear()
            closing = self._closing  # read before taking: what came before end() is then all taken
            parts = self._outbox.take()
            size = sum([len(p) for p in parts])
            if parts and not self.broken and stdin is not None:
                try:
                    _write_all(stdin.fileno(), parts)
                except (OSError, ValueError):
                    self.broken = True
            del parts
            self._outbox.release(size)
        self._outbox.close()
        try:
            if stdin is not None:
                stdin.close()
        except (OSError, ValueError):
            pass

    def _read_loop(self) -> None:
        assert self._proc is not None
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
        try:
            code: Optional[int] = self._proc.wait(1)
        except subprocess.TimeoutExpired:
            code = None
        ended = _how_it_ended(code)
        if self.execution_id is None:
            self._report(f"exec-track record {ended} before it started an execution (its message is above); this block is not tracked")
        elif self.state is None:
            self._report(f"exec-track record {ended} before the execution ended; what followed is not recorded")
        self.answered.set()


def _how_it_ended(code: Optional[int]) -> str:
    """``exited with code N``, ``was killed by SIGKILL`` (Popen's negative code), or ``stopped``."""
    if code is None:
        return "stopped"
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def _grow_pipe(fd: int) -> None:
    """Asks for a :data:`PIPE_BYTES` pipe (Linux's F_SETPIPE_SZ, capped by pipe-max-size); elsewhere, or
    when refused, the pipe stays as it is."""
    try:
        import fcntl

        with open("/proc/sys/fs/pipe-max-size", encoding="ascii") as f:
            size = min(PIPE_BYTES, int(f.read()))
        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), size)
    except (ImportError, OSError, ValueError):
        pass


def _iov_max() -> int:
    try:
        return max(16, min(1024, os.sysconf("SC_IOV_MAX")))
    except (AttributeError, OSError, ValueError):
        return 16


#: How many buffers one writev(2) takes (at least 16, POSIX's minimum; Linux and macOS take 1024).
_IOV_MAX = _iov_max()


def _write_all(fd: int, parts: List[Any]) -> None:
    """Writes ``parts`` (bytes-like) to ``fd`` in order, whole, without joining them: writev(2) where
    there is one, a write each elsewhere.

    :raises OSError: from the write (a closed pipe: the sidecar died).
    """
    writev = getattr(os, "writev", None)
    at = 0
    offset = 0  # bytes of parts[at] already written
    while at < len(parts):
        if writev is None:
            written = os.write(fd, memoryview(parts[at])[offset:])
        else:
            batch = parts[at : at + _IOV_MAX]
            if offset:
                batch[0] = memoryview(batch[0])[offset:]
            written = writev(fd, batch)
        written += offset
        offset = 0
        while at < len(parts) and written >= len(parts[at]):
            written -= len(parts[at])
            parts[at] = b""  # freed now
            at += 1
        offset = written


def wait_delivering(timeout: Optional[float] = None) -> bool:
    """Waits for the sidecars of ended executions to record all and exit: at most ``timeout`` seconds,
    by default the largest ``exit_wait`` among them (what the interpreter's exit does). Returns True
    when none is left delivering; those still busy go on on their own."""
    busy = [s for s in _delivering if s._busy()]
    if timeout is None:
        timeout = max((s.exit_wait for s in busy), default=0.0)
    deadline = time.monotonic() + timeout
    done = all([s.wait(max(0.0, deadline - time.monotonic())) for s in busy])
    _delivering[:] = [s for s in _delivering if s._busy()]
    return done


def _at_exit() -> None:
    """The interpreter's exit: executions still open end without ``finish`` (their sidecars start now
    if they had not: the execution is recorded, as ``Exec crushed``), then :func:`wait_delivering`."""
    for sidecar in list(_open):
        sidecar.when_problem(lambda problem: None)  # its end without finish is no problem to tell
        sidecar.end()
    wait_delivering()


atexit.register(_at_exit)


def _encode(event: Dict[str, Any]) -> str:
    """One JSON line of the protocol."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n"
