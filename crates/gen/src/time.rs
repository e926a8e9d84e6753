//! Calendar arithmetic (proleptic Gregorian, UTC) and the ISO 8601 timestamps
//! twarc2 writes (`2024-07-29T13:05:09.123Z`), without a date-time crate.

/// Milliseconds per day.
pub(crate) const DAY_MS: i64 = 86_400_000;
/// Milliseconds per hour.
pub(crate) const HOUR_MS: i64 = 3_600_000;
/// Milliseconds per minute.
pub(crate) const MINUTE_MS: i64 = 60_000;

/// Days since 1970-01-01 to `(year, month, day)` (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `(year, month, day)` of a Unix time in milliseconds (UTC).
pub(crate) fn civil(ms: i64) -> (i64, u32, u32) {
    civil_from_days(ms.div_euclid(DAY_MS))
}

/// Day of week of a Unix time in ms, 0 = Monday … 6 = Sunday.
pub(crate) fn weekday(ms: i64) -> u32 {
    // 1970-01-01 was a Thursday (3 when Monday is 0).
    ((ms.div_euclid(DAY_MS) + 3).rem_euclid(7)) as u32
}

fn push2(out: &mut Vec<u8>, v: u32) {
    out.push(b'0' + (v / 10 % 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

/// Appends `YYYY-MM-DDTHH:MM:SS.mmmZ` for a Unix time in milliseconds.
pub(crate) fn push_iso_ms(out: &mut Vec<u8>, ms: i64) {
    let (y, m, d) = civil(ms);
    let in_day = ms.rem_euclid(DAY_MS);
    let y = y.clamp(0, 9999) as u32;
    push2(out, y / 100);
    push2(out, y % 100);
    out.push(b'-');
    push2(out, m);
    out.push(b'-');
    push2(out, d);
    out.push(b'T');
    let secs = (in_day / 1000) as u32;
    push2(out, secs / 3600);
    out.push(b':');
    push2(out, secs / 60 % 60);
    out.push(b':');
    push2(out, secs % 60);
    out.push(b'.');
    let milli = (in_day % 1000) as u32;
    out.push(b'0' + (milli / 100) as u8);
    push2(out, milli % 100);
    out.push(b'Z');
}

/// The ISO string as an owned `String`.
pub(crate) fn iso_ms(ms: i64) -> String {
    let mut v = Vec::with_capacity(24);
    push_iso_ms(&mut v, ms);
    String::from_utf8(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(iso_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_ms(1_722_211_200_000), "2024-07-29T00:00:00.000Z");
        assert_eq!(iso_ms(1_709_251_199_999), "2024-02-29T23:59:59.999Z");
        assert_eq!(iso_ms(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(weekday(1_722_211_200_000), 0); // a Monday
        assert_eq!(civil(-1), (1969, 12, 31));
    }
}
