"""`python -m utr_assets.simulate --out DIR [--seed N] [--scale NAME]`: write a simulated world."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from utr_assets.simulate import SCALES, generate_sample


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utr_assets.simulate", description=__doc__)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale", default="sample", choices=sorted(SCALES))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    manifest = generate_sample(args.out, seed=args.seed, scale=args.scale)
    print(f"wrote {manifest} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
