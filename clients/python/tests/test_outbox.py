import json
import random
import sys
import unittest
from pathlib import Path
from typing import Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exec_track._outbox import STAGE_BYTES, Outbox  # noqa: E402


PATTERN = bytes(range(256))


def parse(stream: bytes) -> Tuple[Dict[str, bytearray], List[dict], List[dict]]:
    """Reads the protocol as the sidecar does: JSON lines, an ``output`` line followed by its bytes.
    Returns the bytes per stream, the other events in order, and the output headers."""
    got = {"stdout": bytearray(), "stderr": bytearray()}
    events: List[dict] = []
    headers: List[dict] = []
    at = 0
    while at < len(stream):
        end = stream.index(b"\n", at)
        event = json.loads(stream[at:end])
        at = end + 1
        if event["type"] == "output":
            headers.append(event)
            got[event["stream"]] += stream[at : at + event["bytes"]]
            at += event["bytes"]
        else:
            events.append(event)
    return got, events, headers


def drain(box: Outbox) -> bytes:
    views = box.take()
    data = b"".join(bytes(v) for v in views)
    del views
    box.release(len(data))
    return data


class OutboxTest(unittest.TestCase):
    def test_keeps_every_byte_and_event_in_order_across_the_ring_end(self) -> None:
        rng = random.Random(7)
        box = Outbox(64 * 1024)  # small: the ring wraps many times
        sent = {"stdout": bytearray(), "stderr": bytearray()}
        sent_events: List[dict] = []
        wire = bytearray()
        waiting = 0
        for i in range(3000):
            if rng.random() < 0.1:
                event = {"type": "metrics", "values": {"i": i}}
                self.assertTrue(box.event((json.dumps(event) + "\n").encode()))
                sent_events.append(event)
            else:
                stream = rng.choice(["stdout", "stderr"])
                size = rng.choice([1, 7, 300, STAGE_BYTES - 1, STAGE_BYTES, 20_000])
                data = (PATTERN * (size // 256 + 2))[i % 256 : i % 256 + size]
                waiting = box.output(stream, data)
                sent[stream] += data
            if rng.random() < 0.3 or waiting > 24 * 1024:
                wire += drain(box)
        wire += drain(box)
        got, events, _ = parse(wire)
        self.assertEqual(box.dropped, 0)
        self.assertEqual(got, sent)
        self.assertEqual(events, sent_events)

    def test_small_writes_on_one_stream_become_one_output_event(self) -> None:
        box = Outbox(2**20)
        lines = b"".join(b"line %d\n" % i for i in range(1000))
        for i in range(1000):
            box.output("stdout", b"line %d\n" % i)
        box.output("stderr", b"oops\n")
        box.output("stdout", b"more\n")
        got, _, headers = parse(drain(box))
        self.assertEqual([h["stream"] for h in headers], ["stdout"] * len(headers[:-2]) + ["stderr", "stdout"])
        self.assertLessEqual(len(headers), 2 + len(lines) // STAGE_BYTES + 1)
        self.assertEqual(got, {"stdout": lines + b"more\n", "stderr": b"oops\n"})

    def test_a_full_ring_refuses_and_counts_what_does_not_fit_and_keeps_the_rest_whole(self) -> None:
        box = Outbox(16 * 1024)
        for i in range(10):
            box.output("stdout", bytes([65 + i]) * 10_000)
        self.assertFalse(box.event(b'{"type":"metrics","values":{"x":1}}\n' * 1000))
        box.drop()  # its sender gives up on it
        self.assertEqual(box.dropped, 10)
        got, _, _ = parse(drain(box))
        self.assertEqual(got["stdout"], b"A" * 10_000)
        box.output("stdout", b"after\n")
        got, events, _ = parse(drain(box))
        self.assertEqual(got["stdout"], b"after\n")
        # the record says where and how much, before what came next
        self.assertEqual(len(events), 1)
        self.assertEqual((events[0]["type"], events[0]["stream"]), ("line", "stderr"))
        self.assertIn("9 writes of output (90000 bytes) and 1 events were dropped here", events[0]["text"])
        box.output("stdout", b"again\n")
        self.assertEqual(parse(drain(box))[1], [])  # said once

    @unittest.skipUnless(Path("/proc/self/status").exists(), "reads Linux's /proc")
    def test_gives_memory_back_once_a_backlog_has_drained(self) -> None:
        def anonymous_kib() -> int:
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
            raise AssertionError("no RssAnon")

        box = Outbox(64 * 2**20)
        before = anonymous_kib()
        chunk = b"x" * 2**20
        for _ in range(40):
            box.output("stdout", chunk)
        self.assertGreater(anonymous_kib() - before, 30 * 1024)
        views = box.take()
        size = sum(len(v) for v in views)
        del views
        box.release(size)
        self.assertLess(anonymous_kib() - before, 10 * 1024)
        box.close()


if __name__ == "__main__":
    unittest.main()
