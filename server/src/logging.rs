//! Logging: a tracing subscriber that writes Redis-shaped lines
//! (`pid:M 21 Nov 2026 15:04:05.123 * message`) at the `loglevel` threshold
//! to `logfile` (standard output when empty).

use std::fmt;
use std::fs::OpenOptions;
use std::io;
use std::sync::Mutex;

use keyrs_core::config::Config;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// The most verbose level `loglevel` lets through (`None`: nothing).
pub fn max_level(loglevel: &str) -> Option<Level> {
    match loglevel.to_ascii_lowercase().as_str() {
        "debug" => Some(Level::TRACE),
        "verbose" => Some(Level::DEBUG),
        "warning" => Some(Level::WARN),
        "nothing" => None,
        _ => Some(Level::INFO),
    }
}

/// Redis's level marks: `.` debug, `-` verbose, `*` notice, `#` warning.
fn level_mark(level: &Level) -> char {
    match *level {
        Level::TRACE => '.',
        Level::DEBUG => '-',
        Level::INFO => '*',
        _ => '#',
    }
}

/// Install the global subscriber. Errors only when the log file cannot be opened.
pub fn init(cfg: &Config) -> io::Result<()> {
    let Some(level) = max_level(&cfg.loglevel) else {
        return Ok(());
    };
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(false)
        .event_format(RedisFormat {
            pid: std::process::id(),
        });
    let result = if cfg.logfile.is_empty() {
        builder.with_writer(io::stdout).try_init()
    } else {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&cfg.logfile)?;
        builder.with_writer(Mutex::new(file)).try_init()
    };
    // Already installed (tests calling twice): keep the first.
    if let Err(e) = result {
        eprintln!("logging already initialised: {e}");
    }
    Ok(())
}

/// Formats events as Redis log lines.
struct RedisFormat {
    pid: u32,
}

impl<S, N> FormatEvent<S, N> for RedisFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let now = keyrs_io::clock::now();
        write!(
            writer,
            "{}:M {} {} ",
            self.pid,
            timestamp(now.unix_us),
            level_mark(event.metadata().level())
        )?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

/// `21 Nov 2026 15:04:05.123` (UTC).
fn timestamp(unix_us: u64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = unix_us / 1_000_000;
    let ms = (unix_us / 1000) % 1000;
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{:02} {} {} {:02}:{:02}:{:02}.{:03}",
        d,
        MONTHS[(m as usize).saturating_sub(1).min(11)],
        y,
        rem / 3600,
        (rem / 60) % 60,
        rem % 60,
        ms
    )
}

/// Days since 1970-01-01 to (year, month 1-12, day 1-31): Howard Hinnant's
/// civil-from-days algorithm.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_map_like_redis() {
        assert_eq!(max_level("debug"), Some(Level::TRACE));
        assert_eq!(max_level("verbose"), Some(Level::DEBUG));
        assert_eq!(max_level("notice"), Some(Level::INFO));
        assert_eq!(max_level("WARNING"), Some(Level::WARN));
        assert_eq!(max_level("nothing"), None);
    }

    #[test]
    fn timestamps() {
        assert_eq!(timestamp(0), "01 Jan 1970 00:00:00.000");
        // 2026-11-21 15:04:05.123 UTC
        assert_eq!(timestamp(1_795_273_445_123_000), "21 Nov 2026 15:04:05.123");
        // 2000-02-29 (leap day) 12:00:00
        assert_eq!(timestamp(951_825_600_000_000), "29 Feb 2000 12:00:00.000");
    }
}
