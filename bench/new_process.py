"""`get_state` of a long SQLite thread in a new Python process: what a new kernel pays to show a thread.

`python -m bench.new_process LIB FILE CONFIG` compiles the counter graph of `bench.growth` on a SqliteSaver of
FILE in a fresh interpreter, collects the heap (imports and compiling are left out, as in the in-process
rows), and prints one JSON line: the seconds `get_state(CONFIG)` took and the `x` it showed. The parent
(`bench.growth.new_process_rows`) runs it alternately for each library.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from time import perf_counter

from bench.timing import Samples


def timed_in_new_process(lib_name: str, path: str, config: dict) -> tuple[float, int]:
    """One sample: (seconds, the x the snapshot showed)."""
    done = subprocess.run([sys.executable, "-m", "bench.new_process", lib_name, path, json.dumps(config)],
                          capture_output=True, text=True, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return found["seconds"], found["x"]


def interleaved_in_new_processes(jobs: dict[str, tuple[str, dict]], reps: int) -> tuple[dict[str, Samples], dict]:
    """`jobs`: implementation -> (file, config). Returns the samples and each one's last `x`."""
    names = list(jobs)
    times: dict[str, list[float]] = {name: [] for name in names}
    shown: dict[str, int] = {}
    for rep in range(reps):
        shift = rep % len(names)
        for name in names[shift:] + names[:shift]:
            seconds, shown[name] = timed_in_new_process(name, *jobs[name])
            times[name].append(seconds)
    return {name: Samples(t) for name, t in times.items()}, shown


def main(argv: list[str]) -> None:
    from bench.growth import _sqlite_saver, counter
    from bench.libs import load

    lib_name, path, config = argv[0], argv[1], json.loads(argv[2])
    lib = load(lib_name)
    app = counter(lib, _sqlite_saver(lib, path))
    gc.collect()
    start = perf_counter()
    snapshot = app.get_state(config)
    seconds = perf_counter() - start
    print(json.dumps({"seconds": seconds, "x": snapshot.values["x"]}))


if __name__ == "__main__":
    main(sys.argv[1:])
