#!/usr/bin/env python3
"""A pretend training run for trying exec-track (standard library only).

Prints one line per epoch with loss and accuracy (`epoch=3 loss=0.25 acc=0.91`), a tqdm-style
progress bar redrawn with carriage returns on stderr, and a warning on stderr.

    python3 examples/train.py [--epochs N] [--delay SECONDS] [--fail]

With --fail it stops halfway with an error message on stderr and exit code 1.
"""
import argparse
import math
import sys
import time


def progress(epoch, steps, delay):
    """Redraws one progress line on stderr, as tqdm does."""
    for step in range(steps + 1):
        done = step * 20 // steps
        bar = "#" * done + " " * (20 - done)
        sys.stderr.write("\repoch %d [%s] %3d%% batch=%d/%d" % (epoch, bar, step * 100 // steps, step, steps))
        sys.stderr.flush()
        time.sleep(delay / steps)
    sys.stderr.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--delay", type=float, default=0.6, help="seconds per epoch")
    parser.add_argument("--fail", action="store_true", help="fail halfway with exit code 1")
    args = parser.parse_args()

    print("training for %d epochs (learning rate 0.01, batch size 32)" % args.epochs, flush=True)
    for epoch in range(1, args.epochs + 1):
        progress(epoch, 10, args.delay)
        loss = round(1.2 * math.exp(-0.45 * epoch), 4)
        acc = round(1 - 0.5 * math.exp(-0.6 * epoch), 4)
        print("epoch=%d loss=%.4f acc=%.4f" % (epoch, loss, acc), flush=True)
        if epoch == 2:
            print("warning: learning rate schedule is flat, consider --lr-decay", file=sys.stderr, flush=True)
        if args.fail and epoch * 2 >= args.epochs:
            print("error: loss became NaN at epoch %d, stopping" % epoch, file=sys.stderr, flush=True)
            return 1
    print("done: best accuracy %.4f" % acc, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
