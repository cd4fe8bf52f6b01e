-- Punctuality per airline per day. A flight arrives "on time" when it lands at most
-- 15 minutes after schedule, the share is taken over flights with a recorded arrival.
SELECT
    f.flight_date,
    f.carrier,
    a.name                                                         AS airline_name,
    CAST(COUNT(*) AS INTEGER)                                      AS flights,
    CAST(COUNT(*) FILTER (WHERE f.is_cancelled) AS INTEGER)        AS cancelled_flights,
    CAST(COUNT(f.arr_delay) AS INTEGER)                            AS completed_flights,
    CAST(COUNT(*) FILTER (WHERE f.arr_delay <= 15) AS INTEGER)     AS on_time_arrivals,
    ROUND(100.0 * COUNT(*) FILTER (WHERE f.arr_delay <= 15)
          / NULLIF(COUNT(f.arr_delay), 0), 2)                      AS on_time_arrival_pct,
    ROUND(AVG(f.dep_delay), 2)                                     AS mean_dep_delay_min,
    ROUND(AVG(f.arr_delay), 2)                                     AS mean_arr_delay_min
FROM operations.flights f
LEFT JOIN reference.airlines a USING (carrier)
GROUP BY f.flight_date, f.carrier, a.name
ORDER BY f.flight_date, f.carrier
