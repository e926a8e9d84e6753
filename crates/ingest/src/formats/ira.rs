//! IRA troll-tweet CSVs (`--format ira`): the Clemson / FiveThirtyEight
//! release and bet4a's per-author split of it.
//!
//! Columns are matched by header name (any case), so both layouts and
//! reordered copies work:
//!
//! * **FiveThirtyEight, 21 columns**: `external_author_id, author, content,
//!   region, language, publish_date, harvested_date, following, followers,
//!   updates, post_type, account_type, retweet, account_category,
//!   new_june_2018, alt_external_id, tweet_id, article_url, tco1_step1,
//!   tco2_step1, tco3_step1`. Dates are `M/D/YYYY H:MM`, or `M/D/YY H:MM`
//!   after a trip through Excel (two-digit years are 20YY).
//! * **bet4a, 11 columns**: `author_id, content, region, language,
//!   publish_date, harvested_date, following, followers, updates, post_type,
//!   retweet`, ISO dates, `post_type` ∈ {`R`, `Q`, ``}.
//!
//! | event field | from |
//! |---|---|
//! | `account_id`, `handle` | `author` (21 columns) or `author_id` (bet4a), as written. `external_author_id` is not used: Excel copies turn it into `9.06E+17`. |
//! | `post_id` | `tweet_id` when it is a clean integer; else the id at the end of `article_url` (`…/statuses/914580356430536707`, which Excel leaves intact); else the synthetic, stable `ira:{account}:{line}` (always so for bet4a, which has neither column). |
//! | `ts_ms` | `publish_date`, UTC per the source, minute precision (ISO dates with seconds are read too) |
//! | `kind` | `post_type` `RETWEET`/`R` → `Repost`; `QUOTE_TWEET`/`Q` → `Quote`; empty → `Repost` if `retweet` is `1`, else `Post`; anything else → `bad_value`. `post_type` wins over `retweet` (bet4a marks quotes `retweet=1` too). |
//! | `target` | Reposts only: `text:` + `common::normalize_text_key(content)`. The source gives no id for the retweeted tweet, but the content of a retweet is the original text, so retweets of one tweet share this key. Quotes have no target. |
//! | `text` | `content` |
//! | `lang` | `language` as written (`English`, not `en`) |
//! | `urls` | the `http(s)://` links in `content` as written, the *i*-th paired with `tco{i}_step1` (the first redirect of that t.co link) as its expansion; a `tco*` value with no link left in the content is added on its own |
//! | `hashtags`, `mentions` | extracted from `content` |
//!
//! Platform: Twitter. Other columns (follower counts, categories) are
//! profile data and not read.

use crate::csvin::{CsvFormat, field};
use crate::diag::SkipReason;
use crate::formats::common::{column, extract_hashtags, extract_mentions, extract_urls, normalize_text_key};
use crate::sink::Sink;
use swarmscan_model::{Kind, Platform, RawEvent, RawUrl, parse_rfc3339_ms};

pub(crate) struct Ira {
    width: usize,
    author: (usize, &'static str),
    content: usize,
    publish_date: usize,
    language: Option<usize>,
    post_type: Option<usize>,
    retweet: Option<usize>,
    tweet_id: Option<usize>,
    article_url: Option<usize>,
    tco: [Option<usize>; 3],
}

impl Ira {
    pub(crate) fn from_header(header: &[String]) -> Result<Self, String> {
        let need = |names: &[&'static str]| {
            let found = names.iter().find_map(|n| column(header, &[n]).map(|i| (i, *n)));
            found.ok_or_else(|| {
                format!("IRA CSV: no `{}` column; the header has: {}", names.join("` or `"), header.join(","))
            })
        };
        Ok(Ira {
            width: header.len(),
            author: need(&["author", "author_id"])?,
            content: need(&["content"])?.0,
            publish_date: need(&["publish_date"])?.0,
            language: column(header, &["language"]),
            post_type: column(header, &["post_type"]),
            retweet: column(header, &["retweet"]),
            tweet_id: column(header, &["tweet_id"]),
            article_url: column(header, &["article_url"]),
            tco: [column(header, &["tco1_step1"]), column(header, &["tco2_step1"]), column(header, &["tco3_step1"])],
        })
    }
}

/// Reads an optional column.
fn opt<'r>(row: &'r csv::ByteRecord, col: Option<usize>, name: &str, sink: &mut Sink) -> Option<&'r str> {
    match col {
        Some(i) => field(row, i, name, sink),
        None => Some(""),
    }
}

impl CsvFormat for Ira {
    fn columns(&self) -> Option<usize> {
        Some(self.width)
    }

    fn parse(&self, row: &csv::ByteRecord, sink: &mut Sink) {
        let (author_col, author_name) = self.author;
        let Some(account) = field(row, author_col, author_name, sink) else { return };
        let Some(content) = field(row, self.content, "content", sink) else { return };
        let Some(date) = field(row, self.publish_date, "publish_date", sink) else { return };
        let Some(lang) = opt(row, self.language, "language", sink) else { return };
        let Some(post_type) = opt(row, self.post_type, "post_type", sink) else { return };
        let Some(retweet) = opt(row, self.retweet, "retweet", sink) else { return };
        let Some(tweet_id) = opt(row, self.tweet_id, "tweet_id", sink) else { return };
        let Some(article_url) = opt(row, self.article_url, "article_url", sink) else { return };
        let mut tco = [""; 3];
        for (i, col) in self.tco.iter().enumerate() {
            match opt(row, *col, ["tco1_step1", "tco2_step1", "tco3_step1"][i], sink) {
                Some(s) => tco[i] = s,
                None => return,
            }
        }
        if account.is_empty() {
            sink.skip(SkipReason::MissingField, Some(author_name), format!("`{author_name}` is empty"));
            return;
        }
        let Some(ts_ms) = parse_ira_date(date) else {
            sink.skip(
                SkipReason::BadTimestamp,
                Some("publish_date"),
                format!("`{date}` is not M/D/YYYY H:MM or ISO 8601"),
            );
            return;
        };
        let kind = match post_type.trim() {
            "" if matches!(retweet.trim(), "1" | "true" | "True" | "TRUE") => Kind::Repost,
            "" => Kind::Post,
            t if t.eq_ignore_ascii_case("RETWEET") || t == "R" => Kind::Repost,
            t if t.eq_ignore_ascii_case("QUOTE_TWEET") || t == "Q" => Kind::Quote,
            t => {
                sink.skip(SkipReason::BadValue, Some("post_type"), format!("unknown post_type `{t}`"));
                return;
            }
        };
        let target_key;
        let target = if kind == Kind::Repost && !content.trim().is_empty() {
            target_key = {
                let mut k = String::with_capacity(content.len() + 5);
                k.push_str("text:");
                normalize_text_key(content, &mut k);
                k
            };
            Some(target_key.as_str())
        } else {
            None
        };
        let synthetic;
        let post_id = if is_integer(tweet_id) {
            tweet_id
        } else if let Some(id) = status_id(article_url) {
            id
        } else {
            synthetic = format!("ira:{account}:{}", sink.line);
            synthetic.as_str()
        };
        let written = extract_urls(content);
        let mut urls: Vec<RawUrl<'_>> = written
            .iter()
            .enumerate()
            .map(|(i, w)| RawUrl { written: w, expanded: tco.get(i).copied().unwrap_or("") })
            .collect();
        for x in tco.iter().skip(written.len()).filter(|x| !x.is_empty()) {
            urls.push(RawUrl { written: x, expanded: "" });
        }
        let hashtags = extract_hashtags(content);
        let mentions = extract_mentions(content);
        sink.push(&RawEvent {
            platform: Some(Platform::Twitter),
            post_id,
            account_id: account,
            handle: account,
            ts_ms,
            kind: Some(kind),
            target,
            text: content,
            lang,
            urls: &urls,
            hashtags: &hashtags,
            mentions: &mentions,
        });
    }
}

fn is_integer(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The tweet id at the end of `http://twitter.com/{user}/statuses/{id}`.
fn status_id(url: &str) -> Option<&str> {
    let (_, id) = url.trim_end_matches('/').rsplit_once("/status")?;
    let id = id.strip_prefix("es/").or_else(|| id.strip_prefix('/'))?;
    is_integer(id).then_some(id)
}

/// `M/D/YYYY H:MM[:SS]` (two-digit years are 20YY) or ISO 8601, as UTC.
fn parse_ira_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if !s.contains('/') {
        return parse_rfc3339_ms(s);
    }
    let (date, time) = s.split_once(' ').unwrap_or((s, "0:00"));
    let mut d = date.split('/').map(|p| p.parse::<u32>().ok());
    let (m, day, y) = (d.next()??, d.next()??, d.next()??);
    if d.next().is_some() {
        return None;
    }
    let y = match date.rsplit('/').next()?.len() {
        2 => 2000 + y as i64,
        4 => y as i64,
        _ => return None,
    };
    let mut t = time.trim().split(':').map(|p| p.parse::<u32>().ok());
    let (h, mi) = (t.next()??, t.next()??);
    let sec = t.next().unwrap_or(Some(0))?;
    if t.next().is_some() || day > days_in_month(y, m) || y > 9999 {
        return None;
    }
    // Re-spelt as ISO 8601 in a stack buffer, so the one date parser does the rest.
    let mut iso = *b"0000-00-00 00:00:00";
    for (at, v, n) in [(0, y as u32, 4), (5, m, 2), (8, day, 2), (11, h, 2), (14, mi, 2), (17, sec, 2)] {
        if v >= 10u32.pow(n) {
            return None;
        }
        for k in 0..n {
            iso[at + k as usize] = b'0' + (v / 10u32.pow(n - 1 - k) % 10) as u8;
        }
    }
    parse_rfc3339_ms(std::str::from_utf8(&iso).ok()?)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use swarmscan_model::format_rfc3339_ms;

    fn check(s: &str, expect: Option<&str>) {
        assert_eq!(parse_ira_date(s).map(format_rfc3339_ms).as_deref(), expect, "{s}");
    }

    #[test]
    fn dates() {
        check("10/3/2016 14:07", Some("2016-10-03T14:07:00.000Z"));
        check("10/1/17 2:13", Some("2017-10-01T02:13:00.000Z"));
        check("2/29/2016 0:00:59", Some("2016-02-29T00:00:59.000Z"));
        check("2016-10-01 00:00:00", Some("2016-10-01T00:00:00.000Z"));
        check("2/30/2016 0:00", None);
        check("10/3/216 14:07", None);
        check("10/3/2016 14", None);
        check("yesterday", None);
    }

    #[test]
    fn status_ids() {
        assert_eq!(
            status_id("http://twitter.com/905874659358453760/statuses/914580356430536707"),
            Some("914580356430536707")
        );
        assert_eq!(status_id("https://twitter.com/a/status/1/"), Some("1"));
        assert_eq!(status_id("https://twitter.com/a/statuses/"), None);
        assert_eq!(status_id(""), None);
    }
}
