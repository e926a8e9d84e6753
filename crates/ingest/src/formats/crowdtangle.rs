//! CrowdTangle CSV exports (`--format crowdtangle`): Facebook "Historical
//! data" and Instagram exports.
//!
//! The column order changed over the years, so columns are matched by header
//! name (any case). Every row is an original post (`Kind::Post`).
//!
//! | event field | from (first non-empty cell in this order) |
//! |---|---|
//! | `account_id` | `Facebook Id`, `User Name`, `Page Name` / `Account` / `Group Name` (the most stable id first, per row) |
//! | `handle` | `User Name`, `Page Name` / `Account` / `Group Name` |
//! | `post_id` | `URL` (the post's own URL) |
//! | `ts_ms` | `Post Created` (see below) |
//! | `text` | `Message`, `Description`, `Title` |
//! | `urls` | `Link` as written with `Final Link` (after redirects) as its expansion; `Final Link` alone when `Link` is empty |
//! | `hashtags`, `mentions` | extracted from the text |
//!
//! **Platform**: Facebook, or Instagram when the header looks like an
//! Instagram export (it has `Photo` or `Views` but neither `Facebook Id` nor
//! `Page Name`). Counts (`Likes`, `Total Interactions` with their thousands
//! separators), `Type` and the page metadata are not read.
//!
//! **Time zones.** `Post Created` is `2020-10-01 14:03:00 EDT`: the zone is
//! the *abbreviation* of the exporting user's dashboard zone, which is not an
//! unambiguous format. Accepted: a numeric offset (`+0000`, `-05:00`), `Z`,
//! or one of the abbreviations in `ZONES`. Ambiguous abbreviations are read
//! as: `CST` US Central (not China), `IST` **India** (+05:30; not Irish or
//! Israel time), `BST` British Summer Time (not Bangladesh), `AST` Atlantic
//! (not Arabia). An unknown abbreviation is a `bad_timestamp` naming
//! `Post Created`; a time without any zone is read as UTC.

use crate::csvin::{CsvFormat, field};
use crate::diag::SkipReason;
use crate::formats::common::{column, extract_hashtags, extract_mentions};
use crate::sink::Sink;
use swarmscan_model::{Kind, Platform, RawEvent, RawUrl, parse_rfc3339_ms};

pub(crate) struct CrowdTangle {
    width: usize,
    platform: Platform,
    /// Account id candidates, most stable first.
    account: Vec<(usize, &'static str)>,
    /// Handle candidates.
    handle: Vec<(usize, &'static str)>,
    url: usize,
    created: usize,
    text: Vec<(usize, &'static str)>,
    link: Option<usize>,
    final_link: Option<usize>,
}

const NAME_COLUMNS: [&str; 3] = ["Page Name", "Account", "Group Name"];

impl CrowdTangle {
    pub(crate) fn from_header(header: &[String]) -> Result<Self, String> {
        let present = |names: &[&'static str]| -> Vec<(usize, &'static str)> {
            names.iter().filter_map(|n| column(header, &[n]).map(|i| (i, *n))).collect()
        };
        let missing = |what: &str| format!("CrowdTangle CSV: no {what} column; the header has: {}", header.join(","));
        let first_name: Vec<(usize, &'static str)> = present(&NAME_COLUMNS).into_iter().take(1).collect();
        let mut account = present(&["Facebook Id", "User Name"]);
        account.extend(&first_name);
        let mut handle = present(&["User Name"]);
        handle.extend(&first_name);
        if account.is_empty() {
            return Err(missing("`Facebook Id`, `User Name`, `Page Name` or `Account`"));
        }
        let has = |n: &str| column(header, &[n]).is_some();
        let instagram = (has("Photo") || has("Views")) && !has("Facebook Id") && !has("Page Name");
        Ok(CrowdTangle {
            width: header.len(),
            platform: if instagram { Platform::Instagram } else { Platform::Facebook },
            account,
            handle,
            url: column(header, &["URL"]).ok_or_else(|| missing("`URL`"))?,
            created: column(header, &["Post Created"]).ok_or_else(|| missing("`Post Created`"))?,
            text: present(&["Message", "Description", "Title"]),
            link: column(header, &["Link"]),
            final_link: column(header, &["Final Link"]),
        })
    }
}

/// The first non-empty of the candidate columns (`Some("")` if all are
/// empty), or `None` after a skip for invalid UTF-8.
fn first<'r>(row: &'r csv::ByteRecord, cols: &[(usize, &str)], sink: &mut Sink) -> Option<&'r str> {
    for &(i, name) in cols {
        let v = field(row, i, name, sink)?;
        if !v.trim().is_empty() {
            return Some(v.trim());
        }
    }
    Some("")
}

impl CsvFormat for CrowdTangle {
    fn columns(&self) -> Option<usize> {
        Some(self.width)
    }

    fn parse(&self, row: &csv::ByteRecord, sink: &mut Sink) {
        let Some(account) = first(row, &self.account, sink) else { return };
        let Some(handle) = first(row, &self.handle, sink) else { return };
        let Some(url) = field(row, self.url, "URL", sink) else { return };
        let Some(created) = field(row, self.created, "Post Created", sink) else { return };
        let Some(text) = first(row, &self.text, sink) else { return };
        let link = match self.link {
            Some(i) => match field(row, i, "Link", sink) {
                Some(s) => s.trim(),
                None => return,
            },
            None => "",
        };
        let final_link = match self.final_link {
            Some(i) => match field(row, i, "Final Link", sink) {
                Some(s) => s.trim(),
                None => return,
            },
            None => "",
        };
        if account.is_empty() {
            let name = self.account[0].1;
            sink.skip(
                SkipReason::MissingField,
                Some(name),
                format!("no account: `{name}` and its fallbacks are empty"),
            );
            return;
        }
        let url = url.trim();
        if url.is_empty() {
            sink.skip(SkipReason::MissingField, Some("URL"), "`URL` (the post's id) is empty");
            return;
        }
        let ts_ms = match parse_created(created) {
            Ok(t) => t,
            Err(msg) => {
                sink.skip(SkipReason::BadTimestamp, Some("Post Created"), msg);
                return;
            }
        };
        let urls = match (link, final_link) {
            ("", "") => None,
            ("", x) => Some(RawUrl { written: x, expanded: "" }),
            (w, x) => Some(RawUrl { written: w, expanded: x }),
        };
        let hashtags = extract_hashtags(text);
        let mentions = extract_mentions(text);
        sink.push(&RawEvent {
            platform: Some(self.platform),
            post_id: url,
            account_id: account,
            handle,
            ts_ms,
            kind: Some(Kind::Post),
            target: None,
            text,
            lang: "",
            urls: urls.as_slice(),
            hashtags: &hashtags,
            mentions: &mentions,
        });
    }
}

/// Time-zone abbreviations and their UTC offsets in minutes.
const ZONES: &[(&str, i32)] = &[
    ("UTC", 0),
    ("GMT", 0),
    ("UT", 0),
    ("Z", 0),
    ("WET", 0),
    ("WEST", 60),
    ("BST", 60),
    ("IST", 330),
    ("CET", 60),
    ("CEST", 120),
    ("MET", 60),
    ("MEST", 120),
    ("EET", 120),
    ("EEST", 180),
    ("MSK", 180),
    ("WAT", 60),
    ("CAT", 120),
    ("SAST", 120),
    ("EAT", 180),
    ("PKT", 300),
    ("WIB", 420),
    ("HKT", 480),
    ("SGT", 480),
    ("PHT", 480),
    ("AWST", 480),
    ("JST", 540),
    ("KST", 540),
    ("ACST", 570),
    ("ACDT", 630),
    ("AEST", 600),
    ("AEDT", 660),
    ("NZST", 720),
    ("NZDT", 780),
    ("NST", -210),
    ("NDT", -150),
    ("AST", -240),
    ("ADT", -180),
    ("BRT", -180),
    ("ART", -180),
    ("EST", -300),
    ("EDT", -240),
    ("CST", -360),
    ("CDT", -300),
    ("MST", -420),
    ("MDT", -360),
    ("PST", -480),
    ("PDT", -420),
    ("AKST", -540),
    ("AKDT", -480),
    ("HST", -600),
    ("HDT", -540),
];

/// Parses `Post Created`: `YYYY-MM-DD HH:MM[:SS]` followed by a zone
/// abbreviation, a numeric offset, or nothing (UTC).
fn parse_created(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let bad = || format!("`{s}` is not a date and time like `2020-10-01 14:03:00 EDT`");
    let (local, zone) = match s.rsplit_once(' ') {
        Some((l, z)) if (l.contains(':') && !z.contains(':')) || z.starts_with(['+', '-']) => (l.trim_end(), z),
        _ => (s, ""),
    };
    let offset_min = if zone.is_empty() {
        0
    } else if zone.starts_with(['+', '-']) {
        return parse_rfc3339_ms(&format!("{local}{zone}")).ok_or_else(bad);
    } else {
        ZONES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(zone))
            .map(|&(_, m)| m)
            .ok_or_else(|| format!("unknown time-zone abbreviation `{zone}` in `{s}`"))?
    };
    let utc = parse_rfc3339_ms(local).ok_or_else(bad)?;
    Ok(utc - i64::from(offset_min) * 60_000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use swarmscan_model::format_rfc3339_ms;

    fn check(s: &str, expect: Result<&str, &str>) {
        let got = parse_created(s).map(format_rfc3339_ms);
        match expect {
            Ok(want) => assert_eq!(got.as_deref(), Ok(want), "{s}"),
            Err(part) => assert!(got.as_ref().is_err_and(|e| e.contains(part)), "{s}: {got:?}"),
        }
    }

    #[test]
    fn post_created() {
        check("2020-10-01 14:03:00 EDT", Ok("2020-10-01T18:03:00.000Z"));
        check("2020-10-01 14:03:00 cest", Ok("2020-10-01T12:03:00.000Z"));
        check("2020-10-01 14:03:00 IST", Ok("2020-10-01T08:33:00.000Z"));
        check("2020-10-01 14:03:00 +0000", Ok("2020-10-01T14:03:00.000Z"));
        check("2020-10-01 14:03:00 -05:30", Ok("2020-10-01T19:33:00.000Z"));
        check("2020-10-01 14:03:00", Ok("2020-10-01T14:03:00.000Z"));
        check("2020-10-01T14:03:00Z", Ok("2020-10-01T14:03:00.000Z"));
        check("2020-10-01 14:03 PST", Ok("2020-10-01T22:03:00.000Z"));
        check("2020-10-01 14:03:00 XYZT", Err("unknown time-zone abbreviation `XYZT`"));
        check("2020-10-01 14:03:00 +5x", Err("is not a date"));
        check("yesterday EDT", Err("is not a date"));
        check("", Err("is not a date"));
    }
}
