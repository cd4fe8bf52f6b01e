-- Daily summary of the hourly weather per NYC airport (local calendar day).
SELECT
    origin,
    observation_date,
    CAST(COUNT(*) AS INTEGER)        AS observations,
    ROUND(MIN(temp), 1)              AS min_temp_f,
    ROUND(MAX(temp), 1)              AS max_temp_f,
    ROUND(AVG(temp), 1)              AS mean_temp_f,
    ROUND(SUM(precip), 2)            AS total_precip_in,
    ROUND(MAX(wind_speed), 1)        AS max_wind_speed_mph,
    MIN(visib)                       AS min_visib_miles
FROM weather.hourly_observations
GROUP BY origin, observation_date
ORDER BY origin, observation_date
