-- Departures per NYC airport per hour, side by side with the weather in that hour.
-- Both sides are matched on the UTC hour (time_hour).
WITH hourly AS (
    SELECT
        origin,
        time_hour,
        MIN(flight_date)                                               AS flight_date,
        CAST(COUNT(*) AS INTEGER)                                      AS departures,
        CAST(COUNT(*) FILTER (WHERE is_cancelled) AS INTEGER)          AS cancelled_departures,
        ROUND(100.0 * COUNT(*) FILTER (WHERE is_cancelled) / COUNT(*), 2) AS cancelled_share_pct,
        ROUND(AVG(dep_delay), 2)                                       AS mean_dep_delay_min
    FROM operations.flights
    GROUP BY origin, time_hour
)
SELECT
    h.origin,
    h.time_hour,
    h.flight_date,
    h.departures,
    h.cancelled_departures,
    h.cancelled_share_pct,
    h.mean_dep_delay_min,
    w.temp        AS temp_f,
    w.wind_speed  AS wind_speed_mph,
    w.precip      AS precip_in,
    w.visib       AS visib_miles
FROM hourly h
LEFT JOIN weather.hourly_observations w USING (origin, time_hour)
ORDER BY h.origin, h.time_hour
