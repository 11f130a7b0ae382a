"""The outbox: what waits for the sidecar, already framed as the protocol sends it, in one bounded ring
of bytes that the program's threads fill and the writer thread drains."""

import json
import mmap
import threading
import time
from typing import List, Optional, Union

#: Writes smaller than this gather in one reused buffer per stream before they enter the ring as one
#: ``output`` event (a write per ``print`` with ``PYTHONUNBUFFERED=1`` costs one append, not a frame).
STAGE_BYTES = 8192

#: An ``output`` event's line (docs/clients.md, protocol 2).
_HEADER = '{"type":"output","stream":"%s","bytes":%d,"ts":%d}\n'


def now_ms() -> int:
    """The time now in ms since epoch, as the protocol's ``ts``."""
    return int(time.time() * 1000)


#: After a backlog drains, memory the ring touched beyond this many bytes is given back to the system.
_KEEP_BYTES = 4 * 2**20


class Outbox:
    """A ring of ``capacity`` bytes in one anonymous mapping, which Linux backs with 2 MiB pages where it
    can (``MADV_HUGEPAGE``): keeping megabytes printed while the sidecar starts costs a few page faults
    instead of one per 4 KiB (~12 µs each on a virtual machine, measured: 10 ms per 3 MB).

    Producers (any thread) append under a lock and never block: what does not fit is refused and
    counted in :attr:`dropped`. Writes under :data:`STAGE_BYTES` gather first in a reused buffer while
    they come on one stream. One consumer (the writer thread) takes what waits as at most two memory
    views (:meth:`take`), writes them, then frees them (:meth:`release`).
    """

    def __init__(self, capacity: int) -> None:
        self._capacity = max(capacity, 4096)
        # private: shared anonymous memory would be shmem, which gets no huge pages
        private = getattr(mmap, "MAP_PRIVATE", 0) | getattr(mmap, "MAP_ANONYMOUS", 0)
        self._map: Optional[mmap.mmap] = mmap.mmap(-1, self._capacity, flags=private) if private else mmap.mmap(-1, self._capacity)
        advice = getattr(mmap, "MADV_HUGEPAGE", None)
        if advice is not None:
            try:
                self._map.madvise(advice)
            except OSError:
                pass
        self._view = memoryview(self._map)
        self._lock = threading.Lock()
        self._start = 0  # where the oldest waiting byte is
        self._used = 0
        self._touched = 0  # how far from 0 the ring has written since it last gave memory back
        # small writes gathering: their stream, bytes, count and the time of the first
        self._stage_stream: Optional[str] = None
        self._stage = bytearray()
        self._stage_writes = 0
        self._stage_ts = 0
        #: writes and events refused because the ring was full
        self.dropped = 0
        # what was refused since the record last said so (:meth:`_marker`)
        self._lost_writes = 0
        self._lost_bytes = 0
        self._lost_events = 0

    def output(self, stream: str, data: Union[bytes, bytearray, memoryview]) -> int:
        """Appends what the program wrote on ``stream`` (UTF-8 bytes as written, copied now); the
        ``output`` event carries the time of its first write. Returns the bytes now waiting."""
        with self._lock:
            if stream != self._stage_stream and self._stage_writes:
                self._unstage()
            if len(data) < STAGE_BYTES:
                if not self._stage_writes:
                    self._stage_stream, self._stage_ts = stream, now_ms()
                self._stage += data
                self._stage_writes += 1
                if len(self._stage) >= STAGE_BYTES:
                    self._unstage()
            else:
                self._unstage()
                if not self._put([(_HEADER % (stream, len(data), now_ms())).encode("ascii"), data]):
                    self._lose(1, len(data), 0)
            return self._used + len(self._stage)

    def event(self, line: bytes) -> bool:
        """Appends one event's JSON line (ending in a newline). False when it does not fit."""
        with self._lock:
            self._unstage()
            return self._put([line])  # its sender counts it (:meth:`drop`) if it gives up

    def drop(self) -> None:
        """Counts one event its sender gave up on."""
        with self._lock:
            self._lose(0, 0, 1)

    def take(self) -> List[memoryview]:
        """What waits, oldest first, as one or two views into the ring; they stay valid until
        :meth:`release`."""
        with self._lock:
            self._unstage()
            if self._map is None or not self._used:
                return []
            end = self._start + self._used
            if end <= self._capacity:
                return [self._view[self._start : end]]
            return [self._view[self._start :], self._view[: end - self._capacity]]

    def release(self, size: int) -> None:
        """Frees the first ``size`` waiting bytes (written, or given up)."""
        with self._lock:
            self._used -= size
            self._start = (self._start + size) % self._capacity
            if self._used:
                return
            # empty: start again at the front, where the memory is already touched
            self._start = 0
            if self._touched > _KEEP_BYTES and self._map is not None:
                try:
                    self._map.madvise(mmap.MADV_DONTNEED, _KEEP_BYTES, self._capacity - _KEEP_BYTES)
                except (AttributeError, OSError, ValueError):
                    pass
            self._touched = 0

    def close(self) -> None:
        """Unmaps the ring; appends after this are refused."""
        with self._lock:
            if self._map is None:
                return
            self._used = 0
            self._stage = bytearray()
            self._stage_writes = 0
            try:
                self._view.release()
                self._map.close()
            except BufferError:  # a view of it still held somewhere: the mapping goes with it
                pass
            self._map = None

    def _unstage(self) -> None:
        """Moves the gathered small writes into the ring as one ``output`` event."""
        if not self._stage_writes:
            return
        header = (_HEADER % (self._stage_stream, len(self._stage), self._stage_ts)).encode("ascii")
        if not self._put([header, self._stage]):
            self._lose(self._stage_writes, len(self._stage), 0)
        del self._stage[:]  # keeps its memory for the next ones
        self._stage_writes = 0
        self._stage_stream = None

    def _lose(self, writes: int, size: int, events: int) -> None:
        self.dropped += writes + events
        self._lost_writes += writes
        self._lost_bytes += size
        self._lost_events += events

    def _marker(self) -> bytes:
        """The ``line`` event (stderr) that tells the record what was dropped before what comes next."""
        text = "exec-track: %d writes of output (%d bytes) and %d events were dropped here: the program printed faster than they could be recorded (buffer_bytes)" % (
            self._lost_writes,
            self._lost_bytes,
            self._lost_events,
        )
        return (json.dumps({"type": "line", "stream": "stderr", "text": text, "ts": now_ms()}) + "\n").encode("ascii")

    def _put(self, parts: List[Union[bytes, bytearray, memoryview]]) -> bool:
        if self._lost_writes or self._lost_events:
            parts = [self._marker(), *parts]
        size = sum([len(p) for p in parts])
        if self._map is None or self._used + size > self._capacity:
            return False
        at = (self._start + self._used) % self._capacity
        for part in parts:
            first = min(len(part), self._capacity - at)
            self._view[at : at + first] = part if first == len(part) else memoryview(part)[:first]
            if first < len(part):
                self._view[: len(part) - first] = memoryview(part)[first:]
            at = (at + len(part)) % self._capacity
        self._used += size
        self._touched = max(self._touched, at if at else self._capacity)
        self._lost_writes = self._lost_bytes = self._lost_events = 0
        return True
