"""Timestream's interpolation functions over time series, in plain Python.

A series is a list of ``(time_ns, value)`` points sorted by time; the requested
instants are nanoseconds too (docs/operations/query.md, "Interpolation functions").
Requested instants outside the series' range are dropped (open question,
documented): the service gives no value there.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

Point = tuple[int, float | None]


def _clean(series: list[Point]) -> list[tuple[int, float]]:
    return sorted((t, float(v)) for t, v in series if v is not None)


def interpolate_linear(series: list[Point], times: list[int]) -> list[tuple[int, float]]:
    """Linear interpolation between the neighbouring points of each instant."""
    points = _clean(series)
    if not points:
        return []
    xs = [t for t, _ in points]
    out: list[tuple[int, float]] = []
    for when in times:
        if when < xs[0] or when > xs[-1]:
            continue
        index = bisect_left(xs, when)
        if xs[index] == when:
            out.append((when, points[index][1]))
            continue
        (t0, v0), (t1, v1) = points[index - 1], points[index]
        out.append((when, v0 + (v1 - v0) * (when - t0) / (t1 - t0)))
    return out


def interpolate_locf(series: list[Point], times: list[int]) -> list[tuple[int, float]]:
    """The last observation at or before each instant (none before the first point)."""
    points = _clean(series)
    xs = [t for t, _ in points]
    out: list[tuple[int, float]] = []
    for when in times:
        index = bisect_right(xs, when) - 1
        if index >= 0 and (not xs or when <= xs[-1]):
            out.append((when, points[index][1]))
    return out


def interpolate_fill(series: list[Point], times: list[int], fill: float) -> list[tuple[int, float]]:
    """The point's value where one exists at exactly the instant, else ``fill``."""
    points = _clean(series)
    if not points:
        return []
    by_time = dict(points)
    first, last = points[0][0], points[-1][0]
    return [(when, by_time.get(when, fill)) for when in times if first <= when <= last]


def interpolate_spline_cubic(series: list[Point], times: list[int]) -> list[tuple[int, float]]:
    """A natural cubic spline through the points (open question: boundary conditions).

    With fewer than three points the spline degenerates to the straight line.
    """
    points = _clean(series)
    count = len(points)
    if count < 3:
        return interpolate_linear(series, times)
    xs = [float(t - points[0][0]) for t, _ in points]
    ys = [v for _, v in points]
    steps = [xs[i + 1] - xs[i] for i in range(count - 1)]
    # Natural spline: second derivatives m[0] = m[n-1] = 0; tridiagonal solve.
    alpha = [0.0] * count
    for i in range(1, count - 1):
        alpha[i] = 3.0 * ((ys[i + 1] - ys[i]) / steps[i] - (ys[i] - ys[i - 1]) / steps[i - 1])
    lower = [1.0] + [0.0] * (count - 1)
    mu = [0.0] * count
    z = [0.0] * count
    for i in range(1, count - 1):
        lower[i] = 2.0 * (xs[i + 1] - xs[i - 1]) - steps[i - 1] * mu[i - 1]
        mu[i] = steps[i] / lower[i]
        z[i] = (alpha[i] - steps[i - 1] * z[i - 1]) / lower[i]
    c = [0.0] * count
    b = [0.0] * (count - 1)
    d = [0.0] * (count - 1)
    for j in range(count - 2, -1, -1):
        c[j] = z[j] - mu[j] * c[j + 1]
        b[j] = (ys[j + 1] - ys[j]) / steps[j] - steps[j] * (c[j + 1] + 2.0 * c[j]) / 3.0
        d[j] = (c[j + 1] - c[j]) / (3.0 * steps[j])
    origin = points[0][0]
    raw = [t for t, _ in points]
    out: list[tuple[int, float]] = []
    for when in times:
        if when < raw[0] or when > raw[-1]:
            continue
        index = min(max(bisect_right(raw, when) - 1, 0), count - 2)
        dx = float(when - origin) - xs[index]
        value = ys[index] + b[index] * dx + c[index] * dx * dx + d[index] * dx * dx * dx
        out.append((when, value))
    return out
