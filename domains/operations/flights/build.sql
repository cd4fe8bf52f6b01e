-- Every flight that departed (or was scheduled to depart) EWR, JFK or LGA in 2013.
-- year/month/day/hour/minute are local New York clock values, time_hour is UTC.
SELECT
    make_date(year, month, day)                                         AS flight_date,
    make_timestamp(year, month, day, hour, minute, 0.0)                 AS scheduled_departure,
    strptime(time_hour, '%Y-%m-%dT%H:%M:%SZ')                           AS time_hour,
    CAST(carrier AS VARCHAR)                                            AS carrier,
    CAST(flight AS INTEGER)                                             AS flight,
    CAST(tailnum AS VARCHAR)                                            AS tailnum,
    CAST(origin AS VARCHAR)                                             AS origin,
    CAST(dest AS VARCHAR)                                               AS dest,
    CAST(sched_dep_time AS INTEGER)                                     AS sched_dep_time,
    CAST(dep_time AS INTEGER)                                           AS dep_time,
    CAST(dep_delay AS INTEGER)                                          AS dep_delay,
    CAST(sched_arr_time AS INTEGER)                                     AS sched_arr_time,
    CAST(arr_time AS INTEGER)                                           AS arr_time,
    CAST(arr_delay AS INTEGER)                                          AS arr_delay,
    CAST(air_time AS INTEGER)                                           AS air_time,
    CAST(distance AS INTEGER)                                           AS distance,
    dep_time IS NULL                                                    AS is_cancelled
FROM nycflights13.flights
ORDER BY scheduled_departure, carrier, flight
