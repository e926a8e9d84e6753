//! Recognising an input's format from its first bytes.
//!
//! Sniffing looks at structure (JSON keys of the first record, CSV header
//! names), never at the file name, so `data.txt.gz` and stdin work. A user can
//! always override with `--format`.

use crate::source::Source;
use std::fmt;
use std::str::FromStr;

/// The formats swarmscan reads.
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord, Hash)]
pub enum Format {
    /// twarc2 / Twitter API v2: response pages, flattened tweets, stream output.
    Twarc2,
    /// Twitter API v1.1 tweet objects (JSONL or the `[`…`,` array-like form).
    TwitterV1,
    /// coordination-network-toolkit 8-column CSV.
    Cnt,
    /// IRA troll tweets (FiveThirtyEight 21-column or per-author layout).
    Ira,
    /// Telegram Desktop `result.json` (one chat or a whole account).
    Telegram,
    /// Bluesky Jetstream events (JSONL).
    Bluesky,
    /// Mastodon API statuses (JSONL or JSON arrays).
    Mastodon,
    /// CrowdTangle CSV exports (Facebook, Instagram).
    CrowdTangle,
    /// CooRTweet's CSV layouts (`object_id,account_id,content_id,timestamp_share`
    /// and the multi-platform `account_id,post_id,url_id,…` one).
    CooRTweet,
    /// Any CSV, through a `--columns` mapping.
    MappedCsv,
    /// Parquet written by `swarmscan convert`.
    Parquet,
}

impl Format {
    pub const ALL: [Format; 11] = [
        Format::Twarc2,
        Format::TwitterV1,
        Format::Cnt,
        Format::Ira,
        Format::Telegram,
        Format::Bluesky,
        Format::Mastodon,
        Format::CrowdTangle,
        Format::CooRTweet,
        Format::MappedCsv,
        Format::Parquet,
    ];

    /// The stable name used by `--format` and in summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Twarc2 => "twarc2",
            Format::TwitterV1 => "twitter-v1",
            Format::Cnt => "cnt",
            Format::Ira => "ira",
            Format::Telegram => "telegram",
            Format::Bluesky => "bluesky",
            Format::Mastodon => "mastodon",
            Format::CrowdTangle => "crowdtangle",
            Format::CooRTweet => "coortweet",
            Format::MappedCsv => "csv",
            Format::Parquet => "parquet",
        }
    }

    /// Whether records are CSV rows.
    pub fn is_csv(self) -> bool {
        matches!(self, Format::Cnt | Format::Ira | Format::CrowdTangle | Format::CooRTweet | Format::MappedCsv)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Format::ALL.into_iter().find(|f| f.as_str() == s).ok_or_else(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
            format!("unknown format `{s}`; known formats: {}", names.join(", "))
        })
    }
}

fn has(hay: &[u8], needle: &str) -> bool {
    memchr::memmem::find(hay, needle.as_bytes()).is_some()
}

/// The first line of `head`, without the line end.
fn first_line(head: &[u8]) -> &[u8] {
    let end = memchr::memchr(b'\n', head).unwrap_or(head.len());
    let l = &head[..end];
    l.strip_suffix(b"\r").unwrap_or(l)
}

/// Guesses the format of an opened input. `None`: not recognised.
pub fn sniff(src: &Source) -> Option<Format> {
    if src.is_parquet {
        return Some(Format::Parquet);
    }
    let start = src.head.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = &src.head[start..];
    match head[0] {
        b'{' | b'[' => sniff_json(head),
        _ => sniff_csv(head),
    }
}

fn sniff_json(head: &[u8]) -> Option<Format> {
    // In line-delimited files the first line is the first record; in
    // pretty-printed documents it is a lone bracket, so look further.
    let line = first_line(head);
    let scope = if line.len() > 2 { line } else { head };
    if has(scope, "\"personal_information\"") || (has(scope, "\"messages\"") && has(scope, "\"type\"")) {
        return Some(Format::Telegram);
    }
    if has(scope, "\"did\"") && has(scope, "\"time_us\"") {
        return Some(Format::Bluesky);
    }
    if has(scope, "\"account\"") && has(scope, "\"uri\"") && (has(scope, "\"content\"") || has(scope, "\"reblog\"")) {
        return Some(Format::Mastodon);
    }
    if has(scope, "\"id_str\"") && has(scope, "\"user\"") {
        return Some(Format::TwitterV1);
    }
    if has(scope, "\"author_id\"") || has(scope, "\"__twarc\"") || (has(scope, "\"data\"") && has(scope, "\"text\"")) {
        return Some(Format::Twarc2);
    }
    None
}

/// The header row of a CSV head, trimmed and lower-cased.
pub(crate) fn csv_header(head: &[u8]) -> Option<Vec<String>> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(head);
    let mut rec = csv::ByteRecord::new();
    if !r.read_byte_record(&mut rec).ok()? {
        return None;
    }
    Some(rec.iter().map(|f| String::from_utf8_lossy(f).trim().to_ascii_lowercase()).collect())
}

fn sniff_csv(head: &[u8]) -> Option<Format> {
    let h = csv_header(head)?;
    let has = |n: &str| h.iter().any(|c| c == n);
    if h.len() == 8 && h[0] == "message_id" && h[1] == "user_id" {
        return Some(Format::Cnt);
    }
    if has("content") && has("publish_date") && (has("external_author_id") || has("author_id")) {
        return Some(Format::Ira);
    }
    if has("post created") && (has("page name") || has("account") || has("user name")) {
        return Some(Format::CrowdTangle);
    }
    if has("account_id") && (has("timestamp_share") || (has("post_id") && has("timestamp"))) {
        return Some(Format::CooRTweet);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expect: Option<Format>) {
        let src = Source::from_reader("t".into(), Box::new(std::io::Cursor::new(text.as_bytes().to_vec()))).unwrap();
        assert_eq!(sniff(&src), expect, "{text}");
    }

    #[test]
    fn sniffs_by_content() {
        check("{\"data\":[{\"id\":\"1\",\"text\":\"x\",\"author_id\":\"2\"}]}\n", Some(Format::Twarc2));
        check("[{\"id_str\":\"1\",\"user\":{}},\n", Some(Format::TwitterV1));
        check("{\"did\":\"d\",\"time_us\":1,\"kind\":\"commit\"}\n", Some(Format::Bluesky));
        check("{\n \"name\": \"c\",\n \"type\": \"public_channel\",\n \"messages\": []\n}", Some(Format::Telegram));
        check("\u{feff}message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n", Some(Format::Cnt));
        check("Page Name,User Name,Post Created,Link\n", Some(Format::CrowdTangle));
        check("object_id,account_id,content_id,timestamp_share\n", Some(Format::CooRTweet));
        check("a,b,c\n1,2,3\n", None);
        check("", None);
    }
}
