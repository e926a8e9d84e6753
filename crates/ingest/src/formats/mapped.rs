//! Any CSV through a `--columns` mapping (`--format csv`).
//!
//! `--columns post_id=COL,account_id=COL,timestamp=COL[,handle=,kind=,target=,
//! text=,urls=,hashtags=,mentions=,lang=,platform=]` names the header column
//! that feeds each model field. A column is found by its exact name, else by
//! its name ignoring ASCII case and surrounding spaces; a mapped column that
//! is not in the header is an error that lists the header. Diagnostics name
//! the CSV column, not the model field. A row with more or fewer cells than
//! the header is `wrong_column_count`.
//!
//! Values:
//!
//! * `post_id`, `account_id`: required, as written (not trimmed).
//! * `timestamp`: required; detected per value. A number (integer or
//!   fractional) is Unix **seconds**, or **milliseconds** when its magnitude
//!   exceeds 10¹¹ (10¹¹ s is the year 5138; 10¹¹ ms is 1973); anything else
//!   is read as ISO 8601 (`2022-03-01T10:00:00Z`, `2022-03-01 10:00`, an
//!   offset or none for UTC). Otherwise `bad_timestamp`.
//! * `kind`: by name, any case — `post`/`tweet`/`original`, `repost`/
//!   `retweet`/`retweeted`/`boost`/`reblog`/`share`, `reply`/`replied_to`/
//!   `comment`, `quote`/`quoted`/`quote_tweet`, `forward`/`forwarded`,
//!   `like`/`favorite`/`favourite`; an unknown name is `bad_value`. An empty
//!   (or unmapped) kind is `Post`, or `Repost` when the row has a target.
//! * `target`: the id of the reposted/replied/quoted post; empty = none.
//! * `urls`, `hashtags`, `mentions`: lists separated by whitespace or `|`
//!   (commas are not separators: they occur inside URLs). A leading `#` or
//!   `@` is removed from hashtags and mentions. URLs have no expansion.
//! * `platform`: a platform name (`twitter`, `telegram`, `bluesky`,
//!   `mastodon`, `facebook`, `instagram`, `other`, any case; also `x`);
//!   empty, unmapped or unknown names are `Other`.
//! * `handle`, `text`, `lang`: as written.

use crate::csvin::{CsvFormat, field};
use crate::diag::SkipReason;
use crate::formats::common::unix_seconds_to_ms;
use crate::mapping::{ColumnMap, Field};
use crate::sink::Sink;
use swarmscan_model::{Kind, Platform, RawEvent, RawUrl, parse_rfc3339_ms};

pub(crate) struct Mapped {
    width: usize,
    /// Per model field (indexed like [`Field::ALL`]): the column index and name.
    cols: [Option<(usize, String)>; 12],
}

impl Mapped {
    pub(crate) fn from_header(header: &[String], map: &ColumnMap) -> Result<Self, String> {
        let mut cols: [Option<(usize, String)>; 12] = Default::default();
        for (f, name) in &map.pairs {
            let i = header
                .iter()
                .position(|h| h == name)
                .or_else(|| header.iter().position(|h| h.trim().eq_ignore_ascii_case(name.trim())))
                .ok_or_else(|| {
                    format!(
                        "--columns: column `{name}` (for `{f}`) is not in the header; the header has: {}",
                        header.join(",")
                    )
                })?;
            cols[*f as usize] = Some((i, name.clone()));
        }
        Ok(Mapped { width: header.len(), cols })
    }
}

impl CsvFormat for Mapped {
    fn columns(&self) -> Option<usize> {
        Some(self.width)
    }

    fn parse(&self, row: &csv::ByteRecord, sink: &mut Sink) {
        let mut v = [""; 12];
        for (slot, col) in v.iter_mut().zip(&self.cols) {
            if let Some((i, name)) = col {
                match field(row, *i, name, sink) {
                    Some(s) => *slot = s,
                    None => return,
                }
            }
        }
        let get = |f: Field| v[f as usize];
        let name = |f: Field| self.cols[f as usize].as_ref().map_or(f.as_str(), |(_, n)| n.as_str());
        for f in [Field::PostId, Field::AccountId, Field::Timestamp] {
            if get(f).trim().is_empty() {
                sink.skip(SkipReason::MissingField, Some(name(f)), format!("`{}` (the {f}) is empty", name(f)));
                return;
            }
        }
        let Some(ts_ms) = parse_timestamp(get(Field::Timestamp)) else {
            let col = name(Field::Timestamp);
            let msg = format!("`{}` is neither Unix seconds or milliseconds nor ISO 8601", get(Field::Timestamp));
            sink.skip(SkipReason::BadTimestamp, Some(col), msg);
            return;
        };
        let target = Some(get(Field::Target)).filter(|t| !t.trim().is_empty());
        let kind = match get(Field::Kind).trim() {
            "" if target.is_some() => Kind::Repost,
            "" => Kind::Post,
            k => match parse_kind(k) {
                Some(k) => k,
                None => {
                    sink.skip(SkipReason::BadValue, Some(name(Field::Kind)), format!("unknown kind `{k}`"));
                    return;
                }
            },
        };
        let urls: Vec<RawUrl<'_>> = list(get(Field::Urls)).map(|written| RawUrl { written, expanded: "" }).collect();
        let hashtags: Vec<&str> = list(get(Field::Hashtags)).map(|h| h.strip_prefix('#').unwrap_or(h)).collect();
        let mentions: Vec<&str> = list(get(Field::Mentions)).map(|m| m.strip_prefix('@').unwrap_or(m)).collect();
        sink.push(&RawEvent {
            platform: Some(parse_platform(get(Field::Platform))),
            post_id: get(Field::PostId),
            account_id: get(Field::AccountId),
            handle: get(Field::Handle),
            ts_ms,
            kind: Some(kind),
            target,
            text: get(Field::Text),
            lang: get(Field::Lang),
            urls: &urls,
            hashtags: &hashtags,
            mentions: &mentions,
        });
    }
}

/// The items of a list cell: separated by whitespace or `|`, empty items
/// dropped.
fn list(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| c.is_whitespace() || c == '|').filter(|p| !p.is_empty() && *p != "#" && *p != "@")
}

/// Unix seconds, Unix milliseconds (magnitude above 10¹¹) or ISO 8601.
fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+' || c == '.')
        && let Ok(x) = s.parse::<f64>()
    {
        if !x.is_finite() {
            return None;
        }
        if x.abs() > 1e11 {
            return match s.parse::<i64>() {
                Ok(ms) => Some(ms),
                Err(_) if x.abs() < 9e18 => Some(x.round() as i64),
                Err(_) => None,
            };
        }
        return unix_seconds_to_ms(s);
    }
    parse_rfc3339_ms(s)
}

fn parse_kind(k: &str) -> Option<Kind> {
    const NAMES: &[(&str, Kind)] = &[
        ("post", Kind::Post),
        ("tweet", Kind::Post),
        ("original", Kind::Post),
        ("repost", Kind::Repost),
        ("retweet", Kind::Repost),
        ("retweeted", Kind::Repost),
        ("boost", Kind::Repost),
        ("reblog", Kind::Repost),
        ("share", Kind::Repost),
        ("reply", Kind::Reply),
        ("replied_to", Kind::Reply),
        ("comment", Kind::Reply),
        ("quote", Kind::Quote),
        ("quoted", Kind::Quote),
        ("quote_tweet", Kind::Quote),
        ("forward", Kind::Forward),
        ("forwarded", Kind::Forward),
        ("like", Kind::Like),
        ("favorite", Kind::Like),
        ("favourite", Kind::Like),
    ];
    NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(k)).map(|&(_, kind)| kind)
}

fn parse_platform(p: &str) -> Platform {
    let p = p.trim();
    if p.eq_ignore_ascii_case("x") {
        return Platform::Twitter;
    }
    Platform::ALL.into_iter().find(|q| q.as_str().eq_ignore_ascii_case(p)).unwrap_or(Platform::Other)
}

#[cfg(test)]
mod tests {
    use super::*;
    use swarmscan_model::format_rfc3339_ms;

    fn check(s: &str, expect: Option<&str>) {
        assert_eq!(parse_timestamp(s).map(format_rfc3339_ms).as_deref(), expect, "{s}");
    }

    #[test]
    fn timestamps() {
        check("1475503620", Some("2016-10-03T14:07:00.000Z"));
        check("1475503620.25", Some("2016-10-03T14:07:00.250Z"));
        check("1475503620250", Some("2016-10-03T14:07:00.250Z"));
        check("1.47550362025e12", Some("2016-10-03T14:07:00.250Z"));
        check("99999999999", Some("5138-11-16T09:46:39.000Z"));
        check("2016-10-03T16:07:00+02:00", Some("2016-10-03T14:07:00.000Z"));
        check("2016-10-03 14:07", Some("2016-10-03T14:07:00.000Z"));
        check("-1", Some("1969-12-31T23:59:59.000Z"));
        check("NaN", None);
        check("inf", None);
        check("yesterday", None);
        check("1e400", None);
    }

    #[test]
    fn lists_kinds_platforms() {
        assert_eq!(list(" #a|b  c|| # ").collect::<Vec<_>>(), ["#a", "b", "c"]);
        assert_eq!(parse_kind("ReTweet"), Some(Kind::Repost));
        assert_eq!(parse_kind("nope"), None);
        assert_eq!(parse_platform("Telegram"), Platform::Telegram);
        assert_eq!(parse_platform("X"), Platform::Twitter);
        assert_eq!(parse_platform("youtube"), Platform::Other);
    }
}
