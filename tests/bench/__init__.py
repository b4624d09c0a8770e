"""Benchmarks: run one with ``./dev bench NAME``; each prints its figures and the ratio to its goal.
Never collected by pytest (no ``test_`` names), so ``./dev test`` stays fast."""
from __future__ import annotations

import statistics
import time
from typing import Callable


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall-clock seconds of ``repeat`` calls."""
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def report(name: str, samples: list[float], goal: float, unit: str = "ms") -> dict:
    scale = 1000.0 if unit == "ms" else 1.0
    med = statistics.median(samples) * scale
    p95 = sorted(samples)[max(0, int(len(samples) * 0.95) - 1)] * scale
    ratio = med / goal
    verdict = "OK" if ratio <= 1 else "OVER GOAL"
    print(f"{name:<46} median {med:9.2f} {unit}  p95 {p95:9.2f} {unit}  goal {goal:g} {unit}  "
          f"ratio {ratio:5.2f}  {verdict}")
    return {"name": name, "median": med, "p95": p95, "goal": goal, "ratio": ratio}


def wait_until_up(base: str, tries: int = 200) -> None:
    """Until the central server at ``base`` answers its health check."""
    import requests
    for _ in range(tries):
        try:
            if requests.get(f"{base}/v1/health", timeout=2).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"the central server at {base} did not come up")
