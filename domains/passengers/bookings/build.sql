-- Passenger bookings on a deterministic sample of 20,000 real 2013 NYC flights that flew.
-- The people and booking slots are SYNTHETIC (catalog/sources.py, Faker seeded with 2013);
-- the flight columns are copied from operations.flights. The sample takes the flights with
-- the lowest hash of their key, numbers them 1…20,000 in schedule order and joins the source's
-- booking slots (2 or 3 per flight) on that number.
WITH sampled AS (
    SELECT flight_date, scheduled_departure, carrier, flight, origin, dest, distance
    FROM operations.flights
    WHERE NOT is_cancelled
    ORDER BY hash(flight_date, carrier, flight, origin), flight_date, carrier, flight, origin
    LIMIT 20000
),
numbered AS (
    SELECT
        *,
        CAST(row_number() OVER (ORDER BY scheduled_departure, carrier, flight, origin) AS INTEGER)
            AS flight_slot
    FROM sampled
)
SELECT
    b.booking_id                                                        AS booking_id,
    f.flight_date                                                       AS flight_date,
    f.carrier                                                           AS carrier,
    f.flight                                                            AS flight,
    f.origin                                                            AS origin,
    f.dest                                                              AS dest,
    p.passenger_name                                                    AS passenger_name,
    p.email                                                             AS email,
    p.date_of_birth                                                     AS date_of_birth,
    p.frequent_flyer_number                                             AS frequent_flyer_number,
    b.seat                                                              AS seat,
    b.fare_class                                                        AS fare_class,
    -- a distance-based economy fare, times the cabin's factor and the slot's own variation
    CAST(round((49 + 0.12 * f.distance)
               * CASE b.fare_class WHEN 'first' THEN 4.0 WHEN 'business' THEN 2.8
                                   WHEN 'premium economy' THEN 1.6 ELSE 1.0 END
               * b.fare_factor, 2) AS DOUBLE)                           AS fare_usd
FROM numbered f
JOIN synthetic_passengers.bookings b USING (flight_slot)
JOIN synthetic_passengers.people p USING (passenger_id)
ORDER BY f.scheduled_departure, f.carrier, f.flight, f.origin, b.booking_id
