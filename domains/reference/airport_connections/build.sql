-- The route network: for each NYC airport, every destination served in 2013 and by whom.
SELECT
    f.origin,
    o.name                                                   AS origin_name,
    f.dest,
    d.name                                                   AS dest_name,
    d.tzone                                                  AS dest_tzone,
    string_agg(DISTINCT f.carrier, ', ' ORDER BY f.carrier)  AS carriers,
    CAST(COUNT(DISTINCT f.carrier) AS INTEGER)               AS carrier_count,
    CAST(COUNT(*) AS INTEGER)                                AS scheduled_flights,
    CAST(ROUND(AVG(f.distance)) AS INTEGER)                  AS distance_miles
FROM operations.flights f
LEFT JOIN reference.airports o ON o.faa = f.origin
LEFT JOIN reference.airports d ON d.faa = f.dest
GROUP BY f.origin, o.name, f.dest, d.name, d.tzone
ORDER BY f.origin, f.dest
