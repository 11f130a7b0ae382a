"""Capture of what a block prints: ``sys.stdout``/``sys.stderr`` (``"sys"``) or file descriptors 1 and 2 (``"fd"``)."""

import codecs
import errno
import io
import os
import sys
import threading
import time
from typing import Any, Callable, List, Optional, Tuple, Union

#: Receives what was written on a stream, in pieces as written: (stream name, text or UTF-8 bytes).
#: Must not block, and must copy what it keeps before it returns (the bytes-like may be reused); the
#: sidecar cuts the lines (:meth:`exec_track._sidecar.Sidecar.output`).
Emit = Callable[[str, Union[str, bytes, memoryview]], None]


class _Tee:
    """Stands in for a ``sys.stdout``/``sys.stderr`` that is no plain file (a notebook's stream, a
    ``StringIO``): writes through unchanged, and records each write (a Python call per write)."""

    def __init__(self, original: Any, stream: str, emit: Emit) -> None:
        self._original = original
        self._stream = stream
        self._emit: Optional[Emit] = emit
        # threads printing at once: the record keeps the order the file got (reentrant: the original
        # is any Python object, whose write may print in turn)
        self._lock = threading.RLock()

    def write(self, text: str) -> int:
        with self._lock:
            written = self._original.write(text)
            if self._emit is not None:
                try:
                    self._emit(self._stream, text)
                except Exception:  # recording must never break the program's print
                    pass
        return written

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def detach_recording(self) -> None:
        self._emit = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


class _BinaryTee(io.BufferedIOBase):
    """The binary layer under a fast tee (its ``buffer``): each chunk the text layer flushes (or
    a write to ``buffer``) goes whole to the original file unchanged, then is recorded as it is.
    ``before`` runs first (stderr flushes the stdout tee, so the order of the two is kept). No buffer
    of its own: the text layer gathers its writes into chunks (8 KiB) already."""

    #: a plain attribute, not IOBase's property: the text layer reads it at each write
    closed = False

    def __init__(self, original: Any, stream: str, emit: Emit, before: Optional[Callable[[], None]]) -> None:
        super().__init__()
        self._original = original
        self._stream = stream
        self.emit: Optional[Emit] = emit
        self._before = before
        # threads printing at once: the record keeps the order the file got
        self._lock = threading.Lock()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self._before is not None:
            self._before()
        # the receiver copies what it keeps at once (into its outbox), so any bytes-like will do
        if type(data) is not bytes:
            data = memoryview(data).cast("B")
        size = len(data)
        view = memoryview(data)
        with self._lock:
            while view:
                written = self._original.write(view)
                if written is None:  # a non-blocking file that is full, as io.BufferedWriter tells it
                    raise BlockingIOError(errno.EAGAIN, "write could not complete without blocking", size - len(view))
                view = view[written:]
            if size and self.emit is not None:
                try:
                    self.emit(self._stream, data)
                except Exception:  # recording must never break the program's print
                    pass
        return size

    def flush(self) -> None:
        pass

    def close(self) -> None:
        # closes only this tee, never the original file
        self.closed = True

    def fileno(self) -> int:
        return int(self._original.fileno())

    def isatty(self) -> bool:
        return bool(self._original.isatty())

    @property
    def name(self) -> Any:
        return self._original.name


def _fast_tee(original: Any, stream: str, emit: Emit, before: Optional[Callable[[], None]]) -> Optional[io.TextIOWrapper]:
    """A text stream like ``original`` (a ``TextIOWrapper`` on a file, as ``sys.stdout`` is when
    nothing replaced it: same encoding, errors, buffering) whose flushed chunks are recorded: the
    program's writes stay in C code, one Python call per flush. None when ``original`` is another
    kind of stream or not UTF-8 (the recorded bytes are decoded as UTF-8)."""
    if type(original) is not io.TextIOWrapper or codecs.lookup(original.encoding).name != "utf-8":
        return None
    binary = original.buffer
    raw: Any = binary.raw if isinstance(binary, io.BufferedWriter) else binary
    if not isinstance(raw, io.FileIO):
        return None
    try:
        original.flush()
    except (OSError, ValueError):
        return None
    return io.TextIOWrapper(
        _BinaryTee(raw, stream, emit, before),
        encoding=original.encoding,
        errors=original.errors,
        line_buffering=original.line_buffering,
        write_through=original.write_through,
    )


class SysCapture:
    """Replaces ``sys.stdout`` and ``sys.stderr`` until :meth:`stop`: by fast tees (:func:`_fast_tee`)
    when they are plain files and this thread is the only one that may print, else by :class:`_Tee`.

    A fast tee is a C ``io.TextIOWrapper`` over a binary layer written in Python, whose write lets other
    threads run; CPython's ``TextIOWrapper.write`` is not safe against a second thread entering it then
    (before 3.12.4, gh-119506: it writes garbage into the file). So a thread started while fast tees are
    in place (``threading.Thread.start``, watched until :meth:`stop`) first turns them into :class:`_Tee`
    over the original streams, which serialises the writes.
    """

    def __init__(self, emit: Emit) -> None:
        self._emit = emit
        self._saved = (sys.stdout, sys.stderr)
        fast = not _other_threads()
        out = _fast_tee(sys.stdout, "stdout", emit, None) if fast else None
        err = _fast_tee(sys.stderr, "stderr", emit, out.flush if out is not None else None) if fast else None
        self._tees: Tuple[Any, Any] = (
            out if out is not None else _Tee(sys.stdout, "stdout", emit),
            err if err is not None else _Tee(sys.stderr, "stderr", emit),
        )
        self._all = list(self._tees)  # every tee made, to detach at the end
        self._lock = threading.Lock()
        self._watch: Optional[Callable[..., Any]] = None
        if out is not None or err is not None:
            self._watch_threads()
        sys.stdout, sys.stderr = self._tees  # type: ignore[assignment]

    def _watch_threads(self) -> None:
        start = threading.Thread.start
        capture = self

        def watched(thread: threading.Thread, *args: Any, **kwargs: Any) -> Any:
            if not _own(thread):  # exec-track's own print nothing
                capture._serialise()
            return start(thread, *args, **kwargs)

        self._watch = watched
        self._unwatched = start
        threading.Thread.start = watched  # type: ignore[method-assign]

    def _serialise(self) -> None:
        """Puts :class:`_Tee` in place of the fast tees (once): another thread may print from now on."""
        with self._lock:
            if not any(isinstance(tee, io.TextIOWrapper) for tee in self._tees):
                return
            replaced = []
            for index, (tee, name) in enumerate(zip(self._tees, ("stdout", "stderr"))):
                if not isinstance(tee, io.TextIOWrapper):
                    replaced.append(tee)
                    continue
                try:
                    tee.flush()
                except Exception:
                    pass
                slow = _Tee(self._saved[index], name, self._emit)
                self._all.append(slow)
                if (sys.stdout, sys.stderr)[index] is tee:
                    setattr(sys, name, slow)
                replaced.append(slow)
            self._tees = (replaced[0], replaced[1])

    def stop(self, wait: float) -> None:
        if self._watch is not None and threading.Thread.start is self._watch:
            threading.Thread.start = self._unwatched  # type: ignore[method-assign]
        for tee in self._all:
            try:
                tee.flush()
            except Exception:
                pass
        # put back only our own tees: code in the block may have replaced them in turn
        if sys.stdout is self._tees[0]:
            sys.stdout = self._saved[0]
        if sys.stderr is self._tees[1]:
            sys.stderr = self._saved[1]
        # a tee still held (a logging handler made in the block) writes through, unrecorded
        for tee in self._all:
            if isinstance(tee, _Tee):
                tee.detach_recording()
            else:
                tee.buffer.emit = None


def _other_threads() -> bool:
    """True when a thread other than this one and exec-track's own is alive (it may print)."""
    me = threading.current_thread()
    return any(t is not me and not _own(t) for t in threading.enumerate())


def _own(thread: threading.Thread) -> bool:
    """One of exec-track's own threads (named ``exec-track-…``: the sidecar's writer and reader, the fd taps)."""
    return thread.name.startswith("exec-track-")


class _FdTap:
    """Points file descriptor ``fd`` at a pipe; a thread copies what arrives to the original
    destination and records it. Catches output of C extensions and subprocesses too."""

    def __init__(self, fd: int, stream: str, emit: Emit) -> None:
        self._fd = fd
        self._stream = stream
        self._emit = emit
        self._saved = os.dup(fd)
        read_end, write_end = os.pipe()
        os.dup2(write_end, fd)
        os.close(write_end)
        self._read_end = read_end
        self._thread = threading.Thread(target=self._copy, name=f"exec-track-fd{fd}", daemon=True)
        self._thread.start()

    def _copy(self) -> None:
        while True:
            try:
                chunk = os.read(self._read_end, 65536)
            except OSError:
                break
            if not chunk:
                break
            view = memoryview(chunk)
            while view:
                try:
                    view = view[os.write(self._saved, view) :]
                except OSError:
                    break
            self._emit(self._stream, chunk)

    def restore(self) -> None:
        os.dup2(self._saved, self._fd)

    def finish(self, wait: float) -> None:
        """Waits (at most ``wait`` s) for the copy to drain; a subprocess still holding the pipe is left to it."""
        self._thread.join(wait)
        if self._thread.is_alive():
            return
        os.close(self._read_end)
        os.close(self._saved)


class FdCapture:
    """Redirects file descriptors 1 and 2 into pipes until :meth:`stop`."""

    def __init__(self, emit: Emit) -> None:
        _flush_std()
        self._taps: List[_FdTap] = [_FdTap(1, "stdout", emit), _FdTap(2, "stderr", emit)]

    def stop(self, wait: float) -> None:
        _flush_std()
        deadline = time.monotonic() + wait
        for tap in self._taps:
            tap.restore()
        for tap in self._taps:
            tap.finish(max(0.0, deadline - time.monotonic()))


def _flush_std() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def start_capture(mode: Optional[str], emit: Emit) -> Optional[Any]:
    """``"sys"`` → :class:`SysCapture`, ``"fd"`` → :class:`FdCapture`, None → no capture.

    :raises ValueError: for another mode.
    """
    if mode is None:
        return None
    if mode == "sys":
        return SysCapture(emit)
    if mode == "fd":
        return FdCapture(emit)
    raise ValueError(f'capture must be "sys", "fd" or None, got {mode!r}')
