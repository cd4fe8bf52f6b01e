-- How much each aircraft (tail number) flew out of NYC in 2013, with registry details.
WITH usage AS (
    SELECT
        tailnum,
        string_agg(DISTINCT carrier, ', ' ORDER BY carrier)            AS carriers,
        CAST(COUNT(*) FILTER (WHERE NOT is_cancelled) AS INTEGER)      AS flights,
        CAST(COUNT(*) FILTER (WHERE is_cancelled) AS INTEGER)          AS cancelled_flights,
        CAST(SUM(distance) FILTER (WHERE NOT is_cancelled) AS BIGINT)  AS distance_miles,
        ROUND(SUM(air_time) / 60.0, 1)                                 AS air_hours,
        MIN(flight_date) FILTER (WHERE NOT is_cancelled)               AS first_flight_date,
        MAX(flight_date) FILTER (WHERE NOT is_cancelled)               AS last_flight_date
    FROM operations.flights
    WHERE tailnum IS NOT NULL
    GROUP BY tailnum
)
SELECT
    u.tailnum,
    u.carriers,
    u.flights,
    u.cancelled_flights,
    u.distance_miles,
    u.air_hours,
    u.first_flight_date,
    u.last_flight_date,
    p.manufacturer,
    p.model,
    p.seats
FROM usage u
LEFT JOIN fleet.aircraft p USING (tailnum)
ORDER BY u.tailnum
