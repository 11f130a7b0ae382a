"""Capture of what a block prints: ``sys.stdout``/``sys.stderr`` (``"sys"``) or file descriptors 1 and 2 (``"fd"``)."""

import codecs
import os
import sys
import threading
import time
from typing import Any, Callable, List, Optional

#: Receives text written on a stream, in pieces as written: (stream name, text). Must not block;
#: the receiver splits lines (:meth:`exec_track._sidecar.Sidecar.output`).
Emit = Callable[[str, str], None]


class _Tee:
    """Stands in for ``sys.stdout``/``sys.stderr``: writes through unchanged, and records."""

    def __init__(self, original: Any, stream: str, emit: Emit) -> None:
        self._original = original
        self._stream = stream
        self._emit = emit

    def write(self, text: str) -> int:
        written = self._original.write(text)
        try:
            self._emit(self._stream, text)
        except Exception:  # recording must never break the program's print
            pass
        return written

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


class SysCapture:
    """Replaces ``sys.stdout`` and ``sys.stderr`` by tees until :meth:`stop`."""

    def __init__(self, emit: Emit) -> None:
        self._saved = (sys.stdout, sys.stderr)
        self._tees = (_Tee(sys.stdout, "stdout", emit), _Tee(sys.stderr, "stderr", emit))
        sys.stdout, sys.stderr = self._tees  # type: ignore[assignment]

    def stop(self, wait: float) -> None:
        # put back only our own tees: code in the block may have replaced them in turn
        if sys.stdout is self._tees[0]:
            sys.stdout = self._saved[0]
        if sys.stderr is self._tees[1]:
            sys.stderr = self._saved[1]


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
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
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
            self._emit(self._stream, decoder.decode(chunk))
        self._emit(self._stream, decoder.decode(b"", final=True))

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
