//! Local time: result timestamps, file names, report dates and `--since` use the machine's
//! time zone (`TZ` honoured), through the `jiff` crate.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// The machine's time zone: `TZ` if set, else the system's setting, else UTC.
pub fn zone() -> TimeZone {
    TimeZone::system()
}

fn at(t: u64) -> Timestamp {
    i64::try_from(t)
        .ok()
        .and_then(|s| Timestamp::from_second(s).ok())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// RFC 3339 with the zone's UTC offset, e.g. `2026-03-02T08:00:00+08:00`.
pub fn rfc3339_in(t: u64, tz: &TimeZone) -> String {
    at(t)
        .to_zoned_datetime(tz.clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// `YYYY-MM-DD`: the day `t` falls on in `tz`.
pub fn date_in(t: u64, tz: &TimeZone) -> String {
    at(t)
        .to_zoned_datetime(tz.clone())
        .strftime("%Y-%m-%d")
        .to_string()
}

/// `YYYY-MM-DD HH:MM` in `tz`.
pub fn minute_in(t: u64, tz: &TimeZone) -> String {
    at(t)
        .to_zoned_datetime(tz.clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// How reports name the zone their times are in: `Asia/Shanghai UTC+08:00`, or just the
/// offset when the zone has no name.
pub fn zone_label(tz: &TimeZone) -> String {
    let off = tz.to_offset(Timestamp::now());
    let secs = off.seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let (h, m) = (secs.unsigned_abs() / 3600, secs.unsigned_abs() % 3600 / 60);
    match tz.iana_name() {
        Some(n) if n != "UTC" => format!("{n} UTC{sign}{h:02}:{m:02}"),
        _ => format!("UTC{sign}{h:02}:{m:02}"),
    }
}

/// Unix seconds of an RFC 3339 timestamp, with `Z` (older result files) or an offset.
pub fn parse_rfc3339(s: &str) -> Option<u64> {
    s.trim()
        .parse::<Timestamp>()
        .ok()
        .and_then(|t| u64::try_from(t.as_second()).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shanghai() -> TimeZone {
        TimeZone::get("Asia/Shanghai").expect("the tz database has Asia/Shanghai")
    }

    #[test]
    fn beijing_morning_is_that_day() {
        // 07:30 on 2 March in Beijing is 23:30 on 1 March in UTC.
        let t = parse_rfc3339("2026-03-01T23:30:00Z").unwrap();
        assert_eq!(rfc3339_in(t, &shanghai()), "2026-03-02T07:30:00+08:00");
        assert_eq!(date_in(t, &shanghai()), "2026-03-02");
        assert_eq!(date_in(t, &TimeZone::UTC), "2026-03-01");
        assert_eq!(minute_in(t, &shanghai()), "2026-03-02 07:30");
    }

    #[test]
    fn old_utc_and_new_offset_stamps_read_alike() {
        let old = parse_rfc3339("2026-03-02T00:00:00Z").unwrap();
        let new = parse_rfc3339("2026-03-02T08:00:00+08:00").unwrap();
        assert_eq!(old, new);
        assert_eq!(rfc3339_in(old, &TimeZone::UTC), "2026-03-02T00:00:00+00:00");
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert_eq!(zone_label(&shanghai()), "Asia/Shanghai UTC+08:00");
        assert_eq!(zone_label(&TimeZone::UTC), "UTC+00:00");
    }
}
