import io
import json
import os
import re
import shlex
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import warnings
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import exec_track  # noqa: E402
from exec_track._sidecar import SIDECAR_NICE, _write_all, sidecar_command  # noqa: E402

FAKE = Path(__file__).with_name("fake_sidecar.py")


class WithFakeSidecar(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = tempfile.TemporaryDirectory()
        self.events_file = Path(self.dir.name, "events.ndjson")
        self.saved_env = dict(os.environ)
        self.use_sidecar()

    def tearDown(self) -> None:
        exec_track.wait(10)  # no sidecar of this test outlives its directory
        os.environ.clear()
        os.environ.update(self.saved_env)
        self.dir.cleanup()

    def use_sidecar(self, *extra: str) -> None:
        os.environ["EXEC_TRACK_BIN"] = shlex.join([sys.executable, str(FAKE), str(self.events_file), *extra])

    def events(self):
        # leaving a block does not wait for the sidecar: wait for it here
        self.assertTrue(exec_track.wait(10))
        return [json.loads(line) for line in self.events_file.read_text().splitlines()]

    def lines(self):
        """(stream, line) as the sidecar cuts them: ``output`` bytes per stream at each newline, a
        ``line`` event's text at each ``\\n``, what is left without a newline at the end."""
        partial = {"stdout": "", "stderr": ""}
        cut = []
        for e in self.events():
            if e["type"] == "output":
                *whole, partial[e["stream"]] = (partial[e["stream"]] + e["text"]).split("\n")
                cut += [(e["stream"], line) for line in whole]
            elif e["type"] == "line":
                cut += [(e["stream"], line) for line in e["text"].split("\n")]
        return cut + [(stream, rest) for stream, rest in partial.items() if rest]


class ContextManagerTest(WithFakeSidecar):
    def test_sends_start_lines_metrics_and_finish_in_order(self) -> None:
        printed = io.StringIO()
        with redirect_stdout(printed):
            with exec_track.execution("fit", session="sweep-1") as ex:
                print("epoch 1")
                print("half", end="")
                ex.log(loss=0.5, acc=float("nan"), step=3)
                ex.log(**{'odd "key"': float("-inf"), "n": 2, "skipped": "no number"})
                print(" line")
        self.assertEqual(printed.getvalue(), "epoch 1\nhalf line\n")
        self.assertEqual(ex.wait(10), "Passive")
        self.assertEqual(ex.id, "e_fake")
        kinds = [(e["type"], e.get("text"), e.get("values")) for e in self.events()]
        self.assertEqual(
            kinds,
            [
                ("start", None, None),
                ("output", "epoch 1\nhalf", None),
                ("metrics", None, {"loss": 0.5, "acc": "NaN"}),
                ("metrics", None, {'odd "key"': "-Infinity", "n": 2.0}),
                ("output", " line\n", None),
                ("finish", None, None),
            ],
        )
        start = self.events()[0]
        self.assertEqual((start["name"], start["session"], start["protocol"]), ("fit", "sweep-1", 2))
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
        expected = [pair for i in range(3) for pair in (("stdout", f"out {i}"), ("stderr", f"err {i}"))]
        self.assertEqual(self.lines(), expected + [("stdout", "no newline at the end")])

    def test_an_exception_is_recorded_with_its_traceback_and_still_propagates(self) -> None:
        with self.assertRaises(ValueError):
            with exec_track.execution("boom"):
                raise ValueError("bad value")
        events = self.events()
        self.assertEqual(events[-1], {**events[-1], "type": "finish", "ok": False, "reason": "ValueError: bad value"})
        stderr = [line for stream, line in self.lines() if stream == "stderr"]
        self.assertEqual(stderr[0], "Traceback (most recent call last):")
        self.assertEqual(stderr[-1], "ValueError: bad value")

    def test_keyboard_interrupt_is_recorded_as_sigint(self) -> None:
        with self.assertRaises(KeyboardInterrupt):
            with exec_track.execution():
                raise KeyboardInterrupt
        finish = self.events()[-1]
        self.assertEqual((finish["ok"], finish["signal"], finish["reason"]), (False, "SIGINT", "interrupted"))


class FileStreamsTest(WithFakeSidecar):
    """sys.stdout/sys.stderr on files, as in a script: the fast tees (C text layers over a recording file)."""

    def test_records_what_reaches_the_files_unchanged_in_the_order_written(self) -> None:
        path = Path(self.dir.name, "out.txt")
        saved = sys.stdout, sys.stderr
        with open(path, "w", encoding="utf-8") as out:
            # 2>&1: one file, two streams; stderr line-buffered as Python makes it
            err = open(out.fileno(), "w", encoding="utf-8", closefd=False, buffering=1)
            sys.stdout, sys.stderr = out, err
            try:
                with exec_track.execution("files"):
                    self.assertIsNot(sys.stdout, out)
                    self.assertEqual(sys.stdout.fileno(), out.fileno())
                    print("out 1 é")
                    print("err 1", file=sys.stderr)
                    sys.stdout.flush()  # before writing to .buffer, as without tracking
                    sys.stdout.buffer.write(b"bytes \xe2\x82")  # a character cut between two writes
                    sys.stdout.buffer.write(b"\xac\n")
                    print("no newline", end="")
            finally:
                sys.stdout, sys.stderr = saved
                err.close()
            self.assertIs(sys.stdout, saved[0])
        self.assertEqual(path.read_text(encoding="utf-8"), "out 1 é\nerr 1\nbytes €\nno newline")
        self.assertEqual(self.lines(), [("stdout", "out 1 é"), ("stderr", "err 1"), ("stdout", "bytes €"), ("stdout", "no newline")])

    def test_a_stream_kept_after_the_block_writes_through_unrecorded(self) -> None:
        path = Path(self.dir.name, "out.txt")
        saved = sys.stdout
        with open(path, "w", encoding="utf-8") as out:
            sys.stdout = out
            try:
                with exec_track.execution("kept"):
                    kept = sys.stdout
                    print("inside")
                print("after", file=kept)
                kept.flush()
            finally:
                sys.stdout = saved
        self.assertEqual(path.read_text(encoding="utf-8"), "inside\nafter\n")
        self.assertEqual(self.lines(), [("stdout", "inside")])


class ThreadsTest(WithFakeSidecar):
    def test_threads_printing_at_once_neither_corrupt_the_file_nor_lose_a_line(self) -> None:
        # a C TextIOWrapper over a Python binary layer wrote NUL runs and lost lines here (CPython gh-119506)
        code = (
            "import threading, exec_track\n"
            "with exec_track.execution('threads'):\n"
            "    def w(k):\n"
            "        for i in range(1000): print(f'thread {k} line {i} ' + 'y' * (i % 50))\n"
            "    ts = [threading.Thread(target=w, args=(k,)) for k in range(4)]\n"
            "    [t.start() for t in ts]; [t.join() for t in ts]\n"
        )
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        env.pop("PYTHONUNBUFFERED", None)
        out = Path(self.dir.name, "out.txt")
        for _ in range(5):
            self.events_file.write_text("")
            with out.open("wb") as f:
                subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60, stdout=f)
            data = out.read_bytes()
            self.assertNotIn(b"\x00", data)
            found = sorted(re.findall(rb"thread (\d) line (\d+) ", data))
            self.assertEqual(found, sorted((str(k).encode(), str(i).encode()) for k in range(4) for i in range(1000)))
            recorded = "".join(e["text"] for e in self.events() if e["type"] == "output").encode()
            self.assertEqual(recorded, data)


class LeavingTest(WithFakeSidecar):
    def test_leaving_does_not_wait_for_the_sidecar_to_record(self) -> None:
        self.use_sidecar("slow")
        with exec_track.execution("slow", capture=None) as ex:
            pass
        began = time.monotonic()
        self.assertIsNone(ex.state)
        self.assertEqual(ex.id, "e_fake")  # waits for the answer to the start, not for the end
        self.assertLess(time.monotonic() - began, 0.9)
        self.assertEqual(ex.wait(10), "Passive")
        self.assertEqual(self.events()[-1]["type"], "finish")

    def test_the_interpreter_exit_waits_for_the_sidecar_within_exit_wait(self) -> None:
        self.use_sidecar("slow")
        code = "import exec_track\nwith exec_track.execution('end', capture=None, exit_wait=5):\n    pass\n"
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=30)
        self.assertEqual(self.events()[-1]["type"], "finish")

    def test_an_execution_never_finished_is_delivered_without_finish_when_the_interpreter_exits(self) -> None:
        # exits well within the sidecar's deferred start (START_AFTER): it must start all the same
        code = "import exec_track\nexec_track.start('open')\nprint('last words')\n"
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=30, stdout=subprocess.DEVNULL)
        self.assertEqual([e["type"] for e in self.events()], ["start", "output"])
        self.assertEqual(self.lines(), [("stdout", "last words")])


class YieldsToTheProgramTest(WithFakeSidecar):
    def test_the_sidecar_runs_niced_in_a_process_group_of_its_own(self) -> None:
        self.use_sidecar("whoami")
        with exec_track.execution(capture=None):
            pass
        me = self.events()[0]
        self.assertEqual(me["type"], "whoami")
        self.assertEqual(me["nice"], min(19, os.nice(0) + SIDECAR_NICE))
        self.assertEqual(me["pgid"], me["pid"])  # a Ctrl-C for the program's group does not reach it
        if sys.version_info >= (3, 11):
            self.assertEqual(me["sid"], os.getsid(0))  # sharing the program's session (autogroup)

    def test_writes_many_parts_whole_and_in_order_through_a_full_pipe(self) -> None:
        parts = [bytes([65 + i % 26]) * (1 + i % 9000) for i in range(3000)]
        read_end, write_end = os.pipe()
        got = bytearray()

        def drain() -> None:
            while True:
                time.sleep(0.001)  # slower than the writer: the pipe fills, writes come back partial
                chunk = os.read(read_end, 50_000)
                if not chunk:
                    break
                got.extend(chunk)

        reader = threading.Thread(target=drain)
        reader.start()
        expected = b"".join(parts)
        _write_all(write_end, list(parts))
        os.close(write_end)
        reader.join(30)
        os.close(read_end)
        self.assertEqual(bytes(got), expected)


class DecoratorAndStartTest(WithFakeSidecar):
    def test_the_decorator_tracks_each_call_and_keeps_the_return_value(self) -> None:
        @exec_track.track
        def double(x):
            return 2 * x

        self.assertEqual(double(4), 8)
        self.assertEqual(double.__name__, "double")
        start = self.events()[0]
        self.assertEqual(start["name"], "DecoratorAndStartTest.test_the_decorator_tracks_each_call_and_keeps_the_return_value.<locals>.double")

    def test_the_decorator_tracks_the_awaited_call_and_the_iteration_of_a_generator(self) -> None:
        import asyncio

        @exec_track.track("co", capture=None)
        async def co():
            await asyncio.sleep(0)
            raise ValueError("late")

        @exec_track.track("gen", capture=None)
        def gen():
            yield 1
            yield 2

        @exec_track.track("agen", capture=None)
        async def agen():
            yield 1

        with self.assertRaises(ValueError):
            asyncio.run(co())
        self.assertEqual(list(gen()), [1, 2])
        early = gen()
        next(early)
        early.close()  # stopped early: a normal end, not a crash

        async def collect():
            return [x async for x in agen()]

        self.assertEqual(asyncio.run(collect()), [1])
        # three sidecars append to one file, each in its own time
        events = self.events()
        self.assertEqual(sorted(e["name"] for e in events if e["type"] == "start"), ["agen", "co", "gen", "gen"])
        finishes = sorted((e["ok"], e.get("reason") or "") for e in events if e["type"] == "finish")
        self.assertEqual(finishes, [(False, "ValueError: late"), (True, ""), (True, ""), (True, "")])

    def test_log_never_raises_and_warns_once_of_what_it_skips(self) -> None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with exec_track.execution(capture=None) as ex:
                ex.log(big=10**400, word="x")  # no number: skipped silently, no event
                ex.log(**{"sys/cpu_pct": 5, "": 1, "ok": 1})
                ex.log(x=1, step=-1)
        self.assertEqual([e.get("values") for e in self.events() if e["type"] == "metrics"], [{"ok": 1.0}])
        self.assertEqual(len(caught), 1)
        self.assertIn("own resource samples", str(caught[0].message))

    def test_start_and_finish_bracket_code_without_a_block(self) -> None:
        ex = exec_track.start("loop", capture=None)
        ex.log(loss=1)
        exec_track.finish()
        self.assertEqual([e["type"] for e in self.events()], ["start", "metrics", "finish"])


class NeverBlocksTest(WithFakeSidecar):
    def test_a_stalled_sidecar_neither_blocks_logging_nor_the_exit_beyond_exit_wait(self) -> None:
        self.use_sidecar("stall")
        began = time.monotonic()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with exec_track.execution(exit_wait=0.5, buffer_bytes=100_000, capture=None) as ex:
                for i in range(200_000):
                    ex.log(i=i)
            self.assertGreater(ex.dropped, 0)
            self.assertLess(time.monotonic() - began, 10)
            # measured: let the stalled sidecar go now rather than after its 5 s
            Path(str(self.events_file) + ".release").touch()
            ex.wait(10)
        # it never answered: told once it is known, besides the drops
        self.assertEqual(sum("before it started an execution" in str(w.message) for w in caught), 1)

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

    def test_a_sidecar_failing_to_start_in_the_background_warns_once(self) -> None:
        broken = Path(self.dir.name, "broken")
        broken.write_bytes(b"\x00 no program")  # found and executable, but exec(2) refuses it
        broken.chmod(0o755)
        os.environ["EXEC_TRACK_BIN"] = str(broken)
        os.environ["PATH"] = self.dir.name  # no `nice` in front: the start itself fails
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with exec_track.execution(capture=None) as ex:
                ex.log(loss=1)
            # the block did not wait for the start (deferred, START_AFTER): its failure is told when known
            ex.wait(10)
        self.assertEqual(len(caught), 1)
        self.assertIn(f"could not start {broken}", str(caught[0].message))
        self.assertIsNone(ex.id)

    def test_a_sidecar_refusing_to_start_is_told_once_even_after_a_short_block(self) -> None:
        self.use_sidecar("refuse")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with redirect_stderr(io.StringIO()):
                with exec_track.execution(capture=None) as ex:
                    pass
                ex.wait(10)
        self.assertEqual([str(w.message) for w in caught], ["exec-track record exited with code 3 before it started an execution (its message is above); this block is not tracked"])
        began = time.monotonic()
        with self.assertRaisesRegex(exec_track.ExecTrackError, "exited with code 3"):
            with exec_track.execution(strict=True):
                self.fail("the block must not run")
        self.assertLess(time.monotonic() - began, 5)

    def test_a_sidecar_that_stops_before_the_end_is_told(self) -> None:
        for mode, told in (("quit", "exited with code 0"), ("killed", "was killed by SIGKILL")):
            self.use_sidecar(mode)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                with exec_track.execution(capture=None) as ex:
                    self.assertEqual(ex.id, "e_fake")
                    ex.wait(0)
                ex.wait(10)
            self.assertEqual(len(caught), 1)
            self.assertIn(f"exec-track record {told} before the execution ended", str(caught[0].message))

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
