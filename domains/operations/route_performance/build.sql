-- Punctuality per route (NYC origin -> destination) over the whole year.
SELECT
    f.origin,
    f.dest,
    ap.name                                                 AS dest_name,
    CAST(COUNT(*) AS INTEGER)                               AS flights,
    CAST(COUNT(DISTINCT f.carrier) AS INTEGER)              AS carriers,
    ROUND(AVG(f.arr_delay), 2)                              AS mean_arr_delay_min,
    CAST(ROUND(AVG(f.distance)) AS INTEGER)                 AS distance_miles
FROM operations.flights f
LEFT JOIN reference.airports ap ON ap.faa = f.dest
GROUP BY f.origin, f.dest, ap.name
ORDER BY f.origin, f.dest
