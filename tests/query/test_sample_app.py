"""AWS's sample app queries over DevOps-shaped records, against values computed here."""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import sample_app_queries as sample
from query_helpers import NOW_MS, single, write

from tsmock.backend.errors import ValidationException

SECOND_NS = 1_000_000_000
NOW_NS = NOW_MS * 1_000_000
CUTOFF_NS = NOW_NS - 2 * 3600 * SECOND_NS
HOSTS = [
    ("us-east-1", "us-east-1a", sample.HOSTNAME),
    ("us-east-1", "us-east-1b", "host-28Gju"),
    ("us-west-2", "us-west-2a", "host-2Mvy5"),
]
BASES = [60.0, 50.0, 40.0]
SPREADS = [40, 20, 20]


def cpu(host: int, k: int) -> float:
    return BASES[host] + (k * 37 + host * 11) % SPREADS[host] + 0.25


def samples() -> dict[str, list[tuple[int, float]]]:
    """host -> [(time_ns, cpu)] of the records inside the last two hours."""
    out: dict[str, list[tuple[int, float]]] = {}
    for h, (_, _, hostname) in enumerate(HOSTS):
        points = [(NOW_NS - k * 5 * SECOND_NS, cpu(h, k)) for k in range(0, 120) if k % 7 != 3]
        out[hostname] = sorted(points)
    return out


@pytest.fixture
def devops(write_backend: Any, query_backend: Any, frozen: Any) -> Any:
    write_backend.create_database(sample.DATABASE_NAME)
    write_backend.create_table(sample.DATABASE_NAME, sample.TABLE_NAME)
    records = []
    for h, (region, az, hostname) in enumerate(HOSTS):
        dims = {"region": region, "az": az, "hostname": hostname}
        for k in range(0, 120):
            if k % 7 == 3:
                continue
            time_ms = NOW_MS - k * 5000
            records.append(single(dims, "cpu_utilization", str(cpu(h, k)), "DOUBLE", time_ms))
            records.append(single(dims, "memory_utilization", str(30.0 + k % 9), "DOUBLE", time_ms))
        # Three hours old: outside every query's ago(2h).
        records.append(single(dims, "cpu_utilization", "99.5", "DOUBLE", NOW_MS - 3 * 3600 * 1000))
    write(write_backend, sample.DATABASE_NAME, sample.TABLE_NAME, records)
    return query_backend


def ts(time_ns: int) -> str:
    seconds, fraction = divmod(time_ns, SECOND_NS)
    moment = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%d %H:%M:%S") + f".{fraction:09d}"


def all_rows(backend: Any, query: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every page, as the sample app's paginator reads them."""
    response = backend.query(query)
    rows = list(response["Rows"])
    while "NextToken" in response:
        response = backend.query(query, next_token=response["NextToken"])
        rows.extend(response["Rows"])
    return response["ColumnInfo"], rows


def values(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [[d.get("ScalarValue") for d in row["Data"]] for row in rows]


def bins(points: list[tuple[int, float]], width_s: int) -> list[tuple[int, float]]:
    groups: dict[int, list[float]] = {}
    for t, v in points:
        groups.setdefault(t - t % (width_s * SECOND_NS), []).append(v)
    return sorted((b, round(sum(vs) / len(vs), 2)) for b, vs in groups.items())


def linear(series: list[tuple[int, float]], at: int) -> float:
    times = [t for t, _ in series]
    i = bisect_right(times, at) - 1
    if times[i] == at:
        return series[i][1]
    (t0, v0), (t1, v1) = series[i], series[i + 1]
    return v0 + (v1 - v0) * (at - t0) / (t1 - t0)


def locf(series: list[tuple[int, float]], at: int) -> float:
    times = [t for t, _ in series]
    return series[bisect_right(times, at) - 1][1]


def steps(start: int, stop: int, step_s: int) -> list[int]:
    return list(range(start, stop + 1, step_s * SECOND_NS))


def test_query_1(devops: Any) -> None:
    info, rows = all_rows(devops, sample.QUERY_1)
    assert [c["Name"] for c in info] == [
        "region",
        "az",
        "hostname",
        "binned_timestamp",
        "avg_cpu_utilization",
        "p90_cpu_utilization",
        "p95_cpu_utilization",
        "p99_cpu_utilization",
    ]
    assert info[3]["Type"] == {"ScalarType": "TIMESTAMP"}
    assert info[4]["Type"] == {"ScalarType": "DOUBLE"}
    points = samples()[sample.HOSTNAME]
    groups: dict[int, list[float]] = {}
    for t, v in points:
        groups.setdefault(t - t % (15 * SECOND_NS), []).append(v)
    got = values(rows)
    assert [r[3] for r in got] == [ts(b) for b in sorted(groups)]
    for row, b in zip(got, sorted(groups), strict=True):
        assert row[:3] == ["us-east-1", "us-east-1a", sample.HOSTNAME]
        group = groups[b]
        assert float(row[4]) == round(sum(group) / len(group), 2)
        p90, p95, p99 = (float(x) for x in row[5:])
        assert {p90, p95, p99} <= {round(v, 2) for v in group}
        assert p90 <= p95 <= p99


def test_query_2(devops: Any) -> None:
    _info, rows = all_rows(devops, sample.QUERY_2)
    everything = samples()
    fleet = [v for pts in everything.values() for _, v in pts]
    fleet_avg = sum(fleet) / len(fleet)
    expected = []
    for region, az, hostname in HOSTS:
        pts = everything[hostname]
        host_avg = sum(v for _, v in pts) / len(pts)
        if host_avg > 1.1 * fleet_avg:
            expected.append((region, az, hostname, host_avg))
    assert expected and len(expected) < len(HOSTS)
    got = values(rows)
    assert [tuple(r[:3]) for r in got] == [e[:3] for e in expected]
    for row, e in zip(got, expected, strict=True):
        assert float(row[3]) == pytest.approx(e[3])
        assert float(row[4]) == pytest.approx(fleet_avg)


def test_query_3(devops: Any) -> None:
    info, rows = all_rows(devops, sample.QUERY_3)
    assert [c["Name"] for c in info] == ["binned_timestamp", "avg_cpu_utilization", "hostname"]
    expected = bins(samples()[sample.HOSTNAME], 30)
    assert values(rows) == [[ts(b), repr(v), sample.HOSTNAME] for b, v in expected]


def test_query_3_unquoted_host_is_a_syntax_error(devops: Any) -> None:
    with pytest.raises(ValidationException, match=r"^line 1:\d+: identifiers must not start"):
        devops.query(sample.QUERY_3_UNQUOTED)


@pytest.mark.parametrize("query", ["QUERY_4", "QUERY_5", "QUERY_6"])
def test_queries_4_to_6(devops: Any, query: str) -> None:
    info, rows = all_rows(devops, getattr(sample, query))
    assert [c["Name"] for c in info] == ["time", "interpolated_cpu"]
    assert info[0]["Type"] == {"ScalarType": "TIMESTAMP"}
    assert info[1]["Type"] == {"ScalarType": "DOUBLE"}
    series = bins(samples()[sample.HOSTNAME], 30)
    known = dict(series)
    expected = []
    for at in steps(series[0][0], series[-1][0], 15):
        if query == "QUERY_4":
            value = linear(series, at)
        elif query == "QUERY_5":
            value = locf(series, at)
        else:
            value = known.get(at, 10.0)
        expected.append((ts(at), round(value, 2)))
    got = sorted((r[0], float(r[1])) for r in values(rows))
    assert got == expected


def test_query_7_spline_passes_through_the_points(devops: Any) -> None:
    _info, rows = all_rows(devops, sample.QUERY_7)
    series = bins(samples()[sample.HOSTNAME], 30)
    got = dict((r[0], float(r[1])) for r in values(rows))
    assert sorted(got) == [ts(at) for at in steps(series[0][0], series[-1][0], 15)]
    for at, value in series:
        assert got[ts(at)] == pytest.approx(value, abs=0.011)


def test_query_8(devops: Any) -> None:
    info, rows = all_rows(devops, sample.QUERY_8)
    assert [c["Name"] for c in info] == ["hostname", "avg_cpu_utilization"]
    expected = []
    for hostname, pts in samples().items():
        filled = [locf(pts, at) for at in steps(pts[0][0], pts[-1][0], 1)]
        expected.append((hostname, sum(filled) / len(filled)))
    expected.sort(key=lambda e: -e[1])
    got = values(rows)
    assert [r[0] for r in got] == [e[0] for e in expected]
    for row, e in zip(got, expected, strict=True):
        assert float(row[1]) == pytest.approx(e[1])


def interpolated_10s() -> list[tuple[int, float]]:
    pts = [(t, round(v, 2)) for t, v in samples()[sample.HOSTNAME]]
    return [(at, linear(pts, at)) for at in steps(pts[0][0], pts[-1][0], 10)]


def test_query_9(devops: Any) -> None:
    info, rows = all_rows(devops, sample.QUERY_9)
    assert [c["Name"] for c in info] == [
        "cpu_above_threshold",
        "count_cpu_above_threshold",
        "fraction_cpu_above_threshold",
    ]
    assert info[0]["Type"] == {
        "TimeSeriesMeasureValueColumnInfo": {"Type": {"ScalarType": "DOUBLE"}}
    }
    assert info[1]["Type"] == {"ScalarType": "INTEGER"}
    assert info[2]["Type"] == {"ScalarType": "DOUBLE"}
    series = interpolated_10s()
    above = [(t, v) for t, v in series if v > 70.0]
    (row,) = rows
    points = row["Data"][0]["TimeSeriesValue"]
    assert [p["Time"] for p in points] == [ts(t) for t, _ in above]
    for point, (_, v) in zip(points, above, strict=True):
        assert float(point["Value"]["ScalarValue"]) == pytest.approx(v)
    assert row["Data"][1] == {"ScalarValue": str(len(above))}
    assert float(row["Data"][2]["ScalarValue"]) == round(len(above) / len(series), 4)


def test_query_10(devops: Any) -> None:
    info, rows = all_rows(devops, sample.QUERY_10)
    assert [c["Name"] for c in info] == ["_col0"]
    series = interpolated_10s()
    oldest = samples()[sample.HOSTNAME][0][0]
    expected = [(t, v) for t, v in series if v < 75 and t > oldest + 60 * SECOND_NS]
    assert expected
    points = rows[0]["Data"][0]["TimeSeriesValue"]
    assert [p["Time"] for p in points] == [ts(t) for t, _ in expected]


def test_query_11(devops: Any) -> None:
    info, rows = all_rows(devops, sample.QUERY_11)
    assert info == [{"Name": "count_cpu", "Type": {"ScalarType": "DOUBLE"}}]
    assert values(rows) == [[f"{float(len(interpolated_10s()))}"]]


def test_query_12(devops: Any) -> None:
    info, rows = all_rows(devops, sample.QUERY_12)
    assert info == [{"Name": "avg_cpu", "Type": {"ScalarType": "DOUBLE"}}]
    series = interpolated_10s()
    assert float(values(rows)[0][0]) == pytest.approx(sum(v for _, v in series) / len(series))


def test_select_all_and_cancel(devops: Any) -> None:
    info, rows = all_rows(devops, sample.SELECT_ALL)
    assert len(rows) == 3 * (2 * len(samples()[sample.HOSTNAME]) + 1)
    names = [c["Name"] for c in info]
    assert set(names[:3]) == {"region", "az", "hostname"}
    assert names[3:] == ["measure_name", "time", "measure_value::double"]
    response = devops.query(sample.SELECT_ALL)
    assert devops.cancel_query(response["QueryId"]) == {}
