"""Regenerate the sample takes: `python -m tools.takegen --out scenes/takes [--only NAME ...]`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from tools.takegen import generate_sample


def main(argv: list[str] | None = None) -> int:
    from tools.takegen.samples import SAMPLE_TAKES

    parser = argparse.ArgumentParser(prog="python -m tools.takegen", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("scenes/takes"), help="output folder")
    parser.add_argument("--only", nargs="*", choices=sorted(SAMPLE_TAKES), help="takes to render")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for name in args.only or sorted(SAMPLE_TAKES):
        started = time.monotonic()
        truth = generate_sample(name, args.out)
        verified = truth["verified"]
        status = "verified" if verified["all_passed"] else "FAILED VERIFICATION"
        size_kb = (args.out / f"{name}.mp4").stat().st_size / 1024
        print(f"{name}: {truth['frame_count']} frames, {size_kb:.0f} KB, "
              f"{time.monotonic() - started:.1f} s, {status}")
        if not verified["all_passed"]:
            failed += 1
            bad = [c for c in verified["events"] + verified["speech"] if not c["passed"]]
            print(json.dumps(bad, indent=1), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
