"""A stand-in for `exec-track record` in the client's unit tests: appends every event it reads to
the file named by argv[1] (an `output` event with its bytes as "text") and answers like the real
one. With argv[2] == "stall" it never reads, and exits after 5 s or as soon as the file argv[1] + ".release"
exists (the test creates it once it has measured); with argv[2] == "slow" it takes a second to record the finish;
with argv[2] == "refuse" it exits 3 at once; with argv[2] == "quit" it exits after answering the start ("killed": it is killed with SIGKILL then);
with argv[2] == "whoami" its first event is {"type": "whoami"} with its niceness, process group and session."""

import json
import os
import sys
import time

mode = sys.argv[2] if len(sys.argv) > 2 else ""
if mode == "refuse":
    sys.exit(3)
if mode == "stall":
    release = sys.argv[1] + ".release"
    for _ in range(100):
        if os.path.exists(release):
            break
        time.sleep(0.05)
    sys.exit(0)
stdin = sys.stdin.buffer
with open(sys.argv[1], "a", encoding="utf-8") as out:
    if mode == "whoami":
        out.write(json.dumps({"type": "whoami", "nice": os.nice(0), "pgid": os.getpgid(0), "pid": os.getpid(), "sid": os.getsid(0)}) + "\n")
    for raw in stdin:
        event = json.loads(raw)
        if event["type"] == "output":
            event["text"] = stdin.read(event["bytes"]).decode("utf-8", "replace")
        if event["type"] == "finish" and mode == "slow":
            time.sleep(1)
        out.write(json.dumps(event) + "\n")
        out.flush()
        if event["type"] == "start":
            print(json.dumps({"type": "started", "executionId": "e_fake", "sessionId": "s_fake"}), flush=True)
            if mode == "quit":
                sys.exit(0)
            if mode == "killed":
                os.kill(os.getpid(), 9)
        elif event["type"] == "finish":
            print(json.dumps({"type": "finished", "state": "Passive" if event["ok"] else "Execution crushed"}), flush=True)
