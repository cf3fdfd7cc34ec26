"""The twelve queries of AWS's Python sample app, exactly as it sends them.

Source: awslabs/amazon-timestream-tools, sample_apps/python/live_analytics/
basic_example/QueryExample.py (MIT-0), with DATABASE_NAME and TABLE_NAME of its
Constant.py and its HOSTNAME. Kept as data: the strings are what the app sends,
piece for piece.
"""

# ruff: noqa: E501

DATABASE_NAME = "timestream_sample_database"
TABLE_NAME = "timestream_sample_table"
HOSTNAME = "host-24Gju"

SELECT_ALL = "SELECT * FROM " + DATABASE_NAME + "." + TABLE_NAME

QUERY_1 = \
    "SELECT region, az, hostname, BIN(time, 15s) AS binned_timestamp, " \
    "    ROUND(AVG(measure_value::double), 2) AS avg_cpu_utilization, " \
    "    ROUND(APPROX_PERCENTILE(measure_value::double, 0.9), 2) AS p90_cpu_utilization, " \
    "    ROUND(APPROX_PERCENTILE(measure_value::double, 0.95), 2) AS p95_cpu_utilization, " \
    "    ROUND(APPROX_PERCENTILE(measure_value::double, 0.99), 2) AS p99_cpu_utilization " \
    "FROM " + DATABASE_NAME + "." + TABLE_NAME + " " \
    "WHERE measure_name = 'cpu_utilization' " \
    "   AND hostname = '" + HOSTNAME + "' " \
    "    AND time > ago(2h) " \
    "GROUP BY region, hostname, az, BIN(time, 15s) " \
    "ORDER BY binned_timestamp ASC"

QUERY_2 = \
    "WITH avg_fleet_utilization AS ( " \
    "    SELECT COUNT(DISTINCT hostname) AS total_host_count, AVG(measure_value::double) AS fleet_avg_cpu_utilization " \
              "    FROM " + DATABASE_NAME + "." + TABLE_NAME + " " \
    "    WHERE measure_name = 'cpu_utilization' " \
    "        AND time > ago(2h) " \
    "), avg_per_host_cpu AS ( " \
    "    SELECT region, az, hostname, AVG(measure_value::double) AS avg_cpu_utilization " \
    "    FROM " +  DATABASE_NAME + "." +  TABLE_NAME + " " \
    "    WHERE measure_name = 'cpu_utilization' " \
    "        AND time > ago(2h) " \
    "    GROUP BY region, az, hostname " \
    ") " \
    "SELECT region, az, hostname, avg_cpu_utilization, fleet_avg_cpu_utilization " \
    "FROM avg_fleet_utilization, avg_per_host_cpu " \
    "WHERE avg_cpu_utilization > 1.1 * fleet_avg_cpu_utilization " \
    "ORDER BY avg_cpu_utilization DESC"

QUERY_3 = \
    "SELECT BIN(time, 30s) AS binned_timestamp, ROUND(AVG(measure_value::double), 2) AS avg_cpu_utilization, " \
    "hostname FROM " +  DATABASE_NAME + "." +  TABLE_NAME + " " \
    "WHERE measure_name = 'cpu_utilization' " \
    "    AND hostname = '" + HOSTNAME + "' " \
    "    AND time > ago(2h) " \
    "GROUP BY hostname, BIN(time, 30s) " \
    "ORDER BY binned_timestamp ASC"

QUERY_4 = \
    "WITH binned_timeseries AS ( " \
    "    SELECT hostname, BIN(time, 30s) AS binned_timestamp, ROUND(AVG(measure_value::double), 2) AS avg_cpu_utilization " \
    "    FROM " +  DATABASE_NAME + "." +  TABLE_NAME + " " \
    "    WHERE measure_name = 'cpu_utilization' " \
    "       AND hostname = '" + HOSTNAME + "' " \
    "        AND time > ago(2h) " \
    "    GROUP BY hostname, BIN(time, 30s) " \
    "), interpolated_timeseries AS ( " \
    "    SELECT hostname, " \
    "        INTERPOLATE_LINEAR( " \
    "            CREATE_TIME_SERIES(binned_timestamp, avg_cpu_utilization), " \
    "                SEQUENCE(min(binned_timestamp), max(binned_timestamp), 15s)) AS interpolated_avg_cpu_utilization " \
    "    FROM binned_timeseries " \
    "    GROUP BY hostname " \
    ") " \
    "SELECT time, ROUND(value, 2) AS interpolated_cpu " \
    "FROM interpolated_timeseries " \
    "CROSS JOIN UNNEST(interpolated_avg_cpu_utilization)"

QUERY_5 = \
    "WITH binned_timeseries AS ( " \
    "    SELECT hostname, BIN(time, 30s) AS binned_timestamp, ROUND(AVG(measure_value::double), 2) AS avg_cpu_utilization " \
    "    FROM " +  DATABASE_NAME + "." +  TABLE_NAME + " " \
    "    WHERE measure_name = 'cpu_utilization' " \
    "        AND hostname = '" + HOSTNAME + "' " \
    "        AND time > ago(2h) " \
    "    GROUP BY hostname, BIN(time, 30s) " \
    "), interpolated_timeseries AS ( " \
    "    SELECT hostname, " \
    "        INTERPOLATE_LOCF( " \
    "            CREATE_TIME_SERIES(binned_timestamp, avg_cpu_utilization), " \
    "                SEQUENCE(min(binned_timestamp), max(binned_timestamp), 15s)) AS interpolated_avg_cpu_utilization " \
    "    FROM binned_timeseries " \
    "    GROUP BY hostname " \
    ") " \
    "SELECT time, ROUND(value, 2) AS interpolated_cpu " \
    "FROM interpolated_timeseries " \
    "CROSS JOIN UNNEST(interpolated_avg_cpu_utilization)"

QUERY_6 = \
    "WITH binned_timeseries AS ( " \
    "    SELECT hostname, BIN(time, 30s) AS binned_timestamp, ROUND(AVG(measure_value::double), 2) AS avg_cpu_utilization " \
    "    FROM " +  DATABASE_NAME + "." +  TABLE_NAME + " " \
    "    WHERE measure_name = 'cpu_utilization' " \
    "       AND hostname = '" + HOSTNAME + "' " \
    "        AND time > ago(2h) " \
    "    GROUP BY hostname, BIN(time, 30s) " \
    "), interpolated_timeseries AS ( " \
    "    SELECT hostname, " \
    "        INTERPOLATE_FILL( " \
    "            CREATE_TIME_SERIES(binned_timestamp, avg_cpu_utilization), " \
    "                SEQUENCE(min(binned_timestamp), max(binned_timestamp), 15s), 10.0) AS interpolated_avg_cpu_utilization " \
    "    FROM binned_timeseries " \
    "    GROUP BY hostname " \
    ") " \
    "SELECT time, ROUND(value, 2) AS interpolated_cpu " \
    "FROM interpolated_timeseries " \
    "CROSS JOIN UNNEST(interpolated_avg_cpu_utilization)"

QUERY_7 = \
    "WITH binned_timeseries AS ( " \
    "    SELECT hostname, BIN(time, 30s) AS binned_timestamp, ROUND(AVG(measure_value::double), 2) AS avg_cpu_utilization " \
    "    FROM " +  DATABASE_NAME + "." +  TABLE_NAME + " " \
    "    WHERE measure_name = 'cpu_utilization' " \
    "        AND hostname = '" + HOSTNAME + "' " \
    "        AND time > ago(2h) " \
    "    GROUP BY hostname, BIN(time, 30s) " \
    "), interpolated_timeseries AS ( " \
    "    SELECT hostname, " \
    "        INTERPOLATE_SPLINE_CUBIC( " \
    "            CREATE_TIME_SERIES(binned_timestamp, avg_cpu_utilization), " \
    "                SEQUENCE(min(binned_timestamp), max(binned_timestamp), 15s)) AS interpolated_avg_cpu_utilization " \
    "    FROM binned_timeseries " \
    "    GROUP BY hostname " \
    ") " \
    "SELECT time, ROUND(value, 2) AS interpolated_cpu " \
    "FROM interpolated_timeseries " \
    "CROSS JOIN UNNEST(interpolated_avg_cpu_utilization)"

QUERY_8 = \
    "WITH per_host_min_max_timestamp AS ( " \
    "    SELECT hostname, min(time) as min_timestamp, max(time) as max_timestamp " \
    "    FROM " +  DATABASE_NAME + "." +  TABLE_NAME + " " \
    "    WHERE measure_name = 'cpu_utilization' " \
    "        AND time > ago(2h) " \
    "    GROUP BY hostname " \
    "), interpolated_timeseries AS ( " \
    "    SELECT m.hostname, " \
    "        INTERPOLATE_LOCF( " \
    "            CREATE_TIME_SERIES(time, measure_value::double), " \
    "                SEQUENCE(MIN(ph.min_timestamp), MAX(ph.max_timestamp), 1s)) as interpolated_avg_cpu_utilization " \
    "    FROM " +  DATABASE_NAME + "." +  TABLE_NAME + " m " \
    "        INNER JOIN per_host_min_max_timestamp ph ON m.hostname = ph.hostname " \
    "    WHERE measure_name = 'cpu_utilization' " \
    "        AND time > ago(2h) " \
    "    GROUP BY m.hostname " \
    ") " \
    "SELECT hostname, AVG(cpu_utilization) AS avg_cpu_utilization " \
    "FROM interpolated_timeseries " \
    "CROSS JOIN UNNEST(interpolated_avg_cpu_utilization) AS t (time, cpu_utilization) " \
    "GROUP BY hostname " \
    "ORDER BY avg_cpu_utilization DESC"

QUERY_9 = \
    "WITH time_series_view AS ( " \
    "    SELECT INTERPOLATE_LINEAR( " \
    "        CREATE_TIME_SERIES(time, ROUND(measure_value::double,2)), " \
    "        SEQUENCE(min(time), max(time), 10s)) AS cpu_utilization " \
    "    FROM " +  DATABASE_NAME + "." +  TABLE_NAME + " " \
    "    WHERE hostname = '" + HOSTNAME + "' " \
    "        AND  " \
    "measure_name = 'cpu_utilization' " \
    "        AND time > ago(2h) " \
    "    GROUP BY hostname " \
    ") " \
    "SELECT FILTER(cpu_utilization, x -> x.value > 70.0) AS cpu_above_threshold, " \
    "    REDUCE(FILTER(cpu_utilization, x -> x.value > 70.0), 0, (s, x) -> s + 1, s -> s) AS count_cpu_above_threshold, " \
    "    ROUND(REDUCE(cpu_utilization, CAST(ROW(0, 0) AS ROW(count_high BIGINT, count_total BIGINT)), " \
    "        (s, x) -> CAST(ROW(s.count_high + IF(x.value > 70.0, 1, 0), s.count_total + 1) AS ROW(count_high BIGINT, count_total BIGINT)), " \
    "        s -> IF(s.count_total = 0, NULL, CAST(s.count_high AS DOUBLE) / s.count_total)), 4) AS fraction_cpu_above_threshold " \
    "FROM time_series_view"

QUERY_10 = \
    "WITH time_series_view AS ( " \
    "    SELECT min(time) AS oldest_time, INTERPOLATE_LINEAR( " \
    "        CREATE_TIME_SERIES(time, ROUND(measure_value::double, 2)), " \
    "        SEQUENCE(min(time), max(time), 10s)) AS cpu_utilization " \
    "    FROM " +  DATABASE_NAME + "." +  TABLE_NAME + " " \
    "    WHERE  " \
    " hostname = '" + HOSTNAME + "' " \
    "        AND  " \
    "measure_name = 'cpu_utilization' " \
    "        AND time > ago(2h) " \
    "    GROUP BY hostname " \
    ") " \
    "SELECT FILTER(cpu_utilization, x -> x.value < 75 AND x.time > oldest_time + 1m) " \
    "FROM time_series_view"

QUERY_11 = \
    "WITH time_series_view AS ( " \
    "    SELECT INTERPOLATE_LINEAR( " \
    "        CREATE_TIME_SERIES(time, ROUND(measure_value::double, 2)), " \
    "        SEQUENCE(min(time), max(time), 10s)) AS cpu_utilization " \
    "    FROM " +  DATABASE_NAME + "." +  TABLE_NAME + " " \
    "     WHERE  " \
    " hostname = '" + HOSTNAME + "' " \
    "        AND  " \
    "measure_name = 'cpu_utilization' " \
    "        AND time > ago(2h) " \
    "    GROUP BY hostname " \
    ") " \
    "SELECT REDUCE(cpu_utilization, " \
    "    DOUBLE '0.0', " \
    "    (s, x) -> s + 1, " \
    "    s -> s) AS count_cpu " \
    "FROM time_series_view"

QUERY_12 = \
    "WITH time_series_view AS ( " \
    "    SELECT INTERPOLATE_LINEAR( " \
    "        CREATE_TIME_SERIES(time, ROUND(measure_value::double, 2)), " \
    "        SEQUENCE(min(time), max(time), 10s)) AS cpu_utilization " \
    "    FROM " +  DATABASE_NAME + "." +  TABLE_NAME + " " \
    "     WHERE  " \
    " hostname = '" + HOSTNAME + "' " \
    "     AND  " \
    "measure_name = 'cpu_utilization' " \
    "        AND time > ago(2h) " \
    "    GROUP BY hostname " \
    ") " \
    "SELECT REDUCE(cpu_utilization, " \
    "    CAST(ROW(0.0, 0) AS ROW(sum DOUBLE, count INTEGER)), " \
    "    (s, x) -> CAST(ROW(x.value + s.sum, s.count + 1) AS ROW(sum DOUBLE, count INTEGER)), " \
    "     s -> IF(s.count = 0, NULL, s.sum / s.count)) AS avg_cpu " \
    "FROM time_series_view"

#: The older sample's QUERY_3 compares with the host name unquoted.
QUERY_3_UNQUOTED = QUERY_3.replace("'" + HOSTNAME + "'", HOSTNAME)
