-- Truncating a time to its minute or hour by arithmetic on epoch microseconds, in UTC:
-- date_trunc on TIMESTAMPTZ goes through the ICU calendar and costs about ten times as much
-- per row. The double modulo floors times before 1970 as well.
CREATE OR REPLACE TEMP MACRO trunc_us(t, unit) AS
    make_timestamptz(epoch_us(t) - ((epoch_us(t) % unit) + unit) % unit);
CREATE OR REPLACE TEMP MACRO minute_of(t) AS trunc_us(t, 60000000);
CREATE OR REPLACE TEMP MACRO hour_of(t) AS trunc_us(t, 3600000000);
