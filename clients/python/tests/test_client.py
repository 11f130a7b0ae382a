import io
import json
import os
import shlex
import stat
import sys
import tempfile
import time
import unittest
import warnings
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import exec_track  # noqa: E402
from exec_track._sidecar import sidecar_command  # noqa: E402

FAKE = Path(__file__).with_name("fake_sidecar.py")


class WithFakeSidecar(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = tempfile.TemporaryDirectory()
        self.events_file = Path(self.dir.name, "events.ndjson")
        self.saved_env = dict(os.environ)
        self.use_sidecar()

    def tearDown(self) -> None:
        os.environ.clear()
        os.environ.update(self.saved_env)
        self.dir.cleanup()

    def use_sidecar(self, *extra: str) -> None:
        os.environ["EXEC_TRACK_BIN"] = shlex.join([sys.executable, str(FAKE), str(self.events_file), *extra])

    def events(self):
        return [json.loads(line) for line in self.events_file.read_text().splitlines()]


class ContextManagerTest(WithFakeSidecar):
    def test_sends_start_lines_metrics_and_finish_in_order(self) -> None:
        printed = io.StringIO()
        with redirect_stdout(printed):
            with exec_track.execution("fit", session="sweep-1") as ex:
                print("epoch 1")
                print("half", end="")
                ex.log(loss=0.5, acc=float("nan"), step=3)
                print(" line")
        self.assertEqual(printed.getvalue(), "epoch 1\nhalf line\n")
        self.assertEqual(ex.state, "Passive")
        self.assertEqual(ex.id, "e_fake")
        kinds = [(e["type"], e.get("text"), e.get("values")) for e in self.events()]
        self.assertEqual(
            kinds,
            [
                ("start", None, None),
                ("line", "epoch 1", None),
                ("metrics", None, {"loss": 0.5, "acc": "NaN"}),
                ("line", "half line", None),
                ("finish", None, None),
            ],
        )
        start = self.events()[0]
        self.assertEqual((start["name"], start["session"], start["protocol"]), ("fit", "sweep-1", 1))
        self.assertTrue(start["description"].endswith(f"{Path(__file__).name}:{start['description'].rsplit(':', 1)[1]}"))
        self.assertEqual(self.events()[-1]["ok"], True)

    def test_keeps_the_order_of_lines_across_stdout_and_stderr(self) -> None:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            with exec_track.execution("interleaved"):
                for i in range(3):
                    print(f"out {i}")
                    print(f"err {i}", file=sys.stderr)
                print("no newline at the end", end="")
        lines = [(e["stream"], line) for e in self.events() if e["type"] == "line" for line in e["text"].split("\n")]
        expected = [pair for i in range(3) for pair in (("stdout", f"out {i}"), ("stderr", f"err {i}"))]
        self.assertEqual(lines, expected + [("stdout", "no newline at the end")])

    def test_an_exception_is_recorded_with_its_traceback_and_still_propagates(self) -> None:
        with self.assertRaises(ValueError):
            with exec_track.execution("boom"):
                raise ValueError("bad value")
        events = self.events()
        self.assertEqual(events[-1], {**events[-1], "type": "finish", "ok": False, "reason": "ValueError: bad value"})
        # a line event's text holding "\n" is several lines (docs/clients.md)
        stderr = [line for e in events if e["type"] == "line" and e["stream"] == "stderr" for line in e["text"].split("\n")]
        self.assertEqual(stderr[0], "Traceback (most recent call last):")
        self.assertEqual(stderr[-1], "ValueError: bad value")

    def test_keyboard_interrupt_is_recorded_as_sigint(self) -> None:
        with self.assertRaises(KeyboardInterrupt):
            with exec_track.execution():
                raise KeyboardInterrupt
        finish = self.events()[-1]
        self.assertEqual((finish["ok"], finish["signal"], finish["reason"]), (False, "SIGINT", "interrupted"))


class DecoratorAndStartTest(WithFakeSidecar):
    def test_the_decorator_tracks_each_call_and_keeps_the_return_value(self) -> None:
        @exec_track.track
        def double(x):
            return 2 * x

        self.assertEqual(double(4), 8)
        self.assertEqual(double.__name__, "double")
        start = self.events()[0]
        self.assertEqual(start["name"], "DecoratorAndStartTest.test_the_decorator_tracks_each_call_and_keeps_the_return_value.<locals>.double")

    def test_start_and_finish_bracket_code_without_a_block(self) -> None:
        ex = exec_track.start("loop", capture=None)
        ex.log(loss=1)
        exec_track.finish()
        self.assertEqual([e["type"] for e in self.events()], ["start", "metrics", "finish"])


class NeverBlocksTest(WithFakeSidecar):
    def test_a_stalled_sidecar_neither_blocks_logging_nor_the_exit_beyond_exit_wait(self) -> None:
        self.use_sidecar("stall")
        began = time.monotonic()
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            with exec_track.execution(exit_wait=0.5, buffer_bytes=100_000, capture=None) as ex:
                for i in range(200_000):
                    ex.log(i=i)
        self.assertGreater(ex.dropped, 0)
        self.assertLess(time.monotonic() - began, 10)

    def test_a_missing_sidecar_warns_once_and_the_block_runs(self) -> None:
        os.environ["EXEC_TRACK_BIN"] = str(Path(self.dir.name, "missing"))
        ran = False
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with exec_track.execution() as ex:
                ran = True
                ex.log(loss=1)
        self.assertTrue(ran)
        self.assertEqual(len(caught), 1)
        self.assertIn("install exec-track", str(caught[0].message))

    def test_strict_raises_when_the_sidecar_cannot_start(self) -> None:
        os.environ["EXEC_TRACK_BIN"] = str(Path(self.dir.name, "missing"))
        with self.assertRaises(exec_track.ExecTrackError):
            with exec_track.execution(strict=True):
                self.fail("the block must not run")


class FindSidecarTest(unittest.TestCase):
    def test_prefers_exec_track_bin_then_path_then_npx(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            for name in ("exec-track", "npx"):
                sub = Path(d, name + "-dir")
                sub.mkdir()
                exe = sub / name
                exe.write_text("#!/bin/sh\n")
                exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
            both = f"{d}/exec-track-dir:{d}/npx-dir"
            self.assertEqual(sidecar_command({"EXEC_TRACK_BIN": "node /x/bin/exec-track", "PATH": both}), ["node", "/x/bin/exec-track"])
            self.assertEqual(sidecar_command({"PATH": both}), [f"{d}/exec-track-dir/exec-track"])
            self.assertEqual(sidecar_command({"PATH": f"{d}/npx-dir"}), [f"{d}/npx-dir/npx", "--no", "exec-track"])
            self.assertIsNone(sidecar_command({"PATH": d}))


if __name__ == "__main__":
    unittest.main()
