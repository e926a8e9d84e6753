//! CooRTweet's CSV layouts (`--format coortweet`), matched by header name.
//!
//! CooRTweet (an R package) models coordination as accounts sharing the same
//! *object* within a time window; its reference data sets come in two
//! layouts. An empty cell or the string `NA` (R's missing value) means
//! missing.
//!
//! **Share layout** `object_id, account_id, content_id, timestamp_share`
//! (CooRTweet's canonical input, e.g. `russian_coord_tweets`, where the
//! object is the retweeted tweet): every row is a `Repost`.
//!
//! | event field | from |
//! |---|---|
//! | `post_id` | `content_id` (the retweet) |
//! | `account_id` | `account_id` |
//! | `target` | `object_id` (the retweeted tweet); missing → a `Post` with no target |
//! | `ts_ms` | `timestamp_share`, Unix seconds |
//!
//! Platform: Twitter. Data sets whose objects are URLs or hashtags rather
//! than posts should be read with `--format csv --columns …` instead.
//!
//! **Multi-platform layout** `account_id, post_id, url_id, hashtag_id,
//! domain_id, phash_id, timestamp` (`german_elections`): every row is a
//! `Post`. The layout is *long*: a post with two URLs is two rows with the
//! same `post_id`, so one post can become several events; they share
//! `post_id`, account and time, and differ in the object they carry.
//!
//! | event field | from |
//! |---|---|
//! | `post_id` | `post_id`; missing (3 rows of `german_elections`, which carry nothing else either) → the synthetic, stable `coortweet:{account_id}:{line}` |
//! | `account_id` | `account_id`, prefix kept |
//! | `ts_ms` | `timestamp`, Unix seconds |
//! | `urls` | `url_id` as the opaque URL key `coortweet:url:{url_id}` (the data set only has integer codes) |
//! | `hashtags` | `hashtag_id` as `h{hashtag_id}` |
//!
//! `domain_id` and `phash_id` (perceptual hash of an attached image) are not
//! read: the model has no field for either, and feeding them in as URLs
//! would make every pair of links to one domain a co-link. CooRTweet can use
//! them as alternative objects (co-domain, co-image); exposing them needs a
//! model field for opaque shared-object keys.
//!
//! In both layouts the platform follows the account prefix when there is one:
//! `fb_` → Facebook, `tw_` → Twitter (otherwise Twitter for the share layout,
//! Other for the multi-platform one).

use crate::csvin::{CsvFormat, field};
use crate::diag::SkipReason;
use crate::formats::common::{column, unix_seconds_to_ms};
use crate::sink::Sink;
use swarmscan_model::{Kind, Platform, RawEvent, RawUrl};

pub(crate) struct CooRTweet {
    width: usize,
    layout: Layout,
}

enum Layout {
    Shares { object: usize, account: usize, content: usize, ts: usize },
    MultiPlatform { account: usize, post: usize, url: Option<usize>, hashtag: Option<usize>, ts: usize },
}

impl CooRTweet {
    pub(crate) fn from_header(header: &[String]) -> Result<Self, String> {
        let col = |n: &str| column(header, &[n]);
        let layout = match (col("object_id"), col("account_id"), col("content_id"), col("timestamp_share")) {
            (Some(object), Some(account), Some(content), Some(ts)) => Layout::Shares { object, account, content, ts },
            (_, Some(account), _, _) if col("post_id").is_some() && col("timestamp").is_some() => {
                Layout::MultiPlatform {
                    account,
                    post: col("post_id").unwrap_or_default(),
                    url: col("url_id"),
                    hashtag: col("hashtag_id"),
                    ts: col("timestamp").unwrap_or_default(),
                }
            }
            _ => {
                return Err(format!(
                    "CooRTweet CSV: expected the columns `object_id,account_id,content_id,timestamp_share` or \
                     `account_id,post_id,timestamp` (with `url_id`, `hashtag_id`); the header has: {}",
                    header.join(",")
                ));
            }
        };
        Ok(CooRTweet { width: header.len(), layout })
    }
}

/// Reads a cell; `NA` becomes empty.
fn cell<'r>(row: &'r csv::ByteRecord, i: usize, name: &str, sink: &mut Sink) -> Option<&'r str> {
    let v = field(row, i, name, sink)?.trim();
    Some(if v == "NA" { "" } else { v })
}

fn platform(account: &str, default: Platform) -> Platform {
    if account.starts_with("fb_") {
        Platform::Facebook
    } else if account.starts_with("tw_") {
        Platform::Twitter
    } else {
        default
    }
}

fn timestamp(v: &str, name: &str, sink: &mut Sink) -> Option<i64> {
    if v.is_empty() {
        sink.skip(SkipReason::MissingField, Some(name), format!("`{name}` is empty"));
        return None;
    }
    let t = unix_seconds_to_ms(v);
    if t.is_none() {
        sink.skip(SkipReason::BadTimestamp, Some(name), format!("`{v}` is not Unix seconds"));
    }
    t
}

impl CsvFormat for CooRTweet {
    fn columns(&self) -> Option<usize> {
        Some(self.width)
    }

    fn parse(&self, row: &csv::ByteRecord, sink: &mut Sink) {
        match self.layout {
            Layout::Shares { object, account, content, ts } => {
                let Some(object) = cell(row, object, "object_id", sink) else { return };
                let Some(account) = cell(row, account, "account_id", sink) else { return };
                let Some(content) = cell(row, content, "content_id", sink) else { return };
                let Some(ts) = cell(row, ts, "timestamp_share", sink) else { return };
                if account.is_empty() {
                    sink.skip(SkipReason::MissingField, Some("account_id"), "`account_id` is empty");
                    return;
                }
                if content.is_empty() {
                    sink.skip(SkipReason::MissingField, Some("content_id"), "`content_id` is empty");
                    return;
                }
                let Some(ts_ms) = timestamp(ts, "timestamp_share", sink) else { return };
                sink.push(&RawEvent {
                    platform: Some(platform(account, Platform::Twitter)),
                    post_id: content,
                    account_id: account,
                    ts_ms,
                    kind: Some(if object.is_empty() { Kind::Post } else { Kind::Repost }),
                    target: Some(object).filter(|o| !o.is_empty()),
                    ..Default::default()
                });
            }
            Layout::MultiPlatform { account, post, url, hashtag, ts } => {
                let Some(account) = cell(row, account, "account_id", sink) else { return };
                let Some(post) = cell(row, post, "post_id", sink) else { return };
                let url = match url {
                    Some(i) => match cell(row, i, "url_id", sink) {
                        Some(v) => v,
                        None => return,
                    },
                    None => "",
                };
                let hashtag = match hashtag {
                    Some(i) => match cell(row, i, "hashtag_id", sink) {
                        Some(v) => v,
                        None => return,
                    },
                    None => "",
                };
                let Some(ts) = cell(row, ts, "timestamp", sink) else { return };
                if account.is_empty() {
                    sink.skip(SkipReason::MissingField, Some("account_id"), "`account_id` is empty");
                    return;
                }
                let Some(ts_ms) = timestamp(ts, "timestamp", sink) else { return };
                let synthetic;
                let post_id = if post.is_empty() {
                    synthetic = format!("coortweet:{account}:{}", sink.line);
                    synthetic.as_str()
                } else {
                    post
                };
                let url_key = (!url.is_empty()).then(|| format!("coortweet:url:{url}"));
                let tag = (!hashtag.is_empty()).then(|| format!("h{hashtag}"));
                let urls: Vec<RawUrl<'_>> = url_key.iter().map(|k| RawUrl { written: k, expanded: "" }).collect();
                let tags: Vec<&str> = tag.iter().map(String::as_str).collect();
                sink.push(&RawEvent {
                    platform: Some(platform(account, Platform::Other)),
                    post_id,
                    account_id: account,
                    ts_ms,
                    kind: Some(Kind::Post),
                    urls: &urls,
                    hashtags: &tags,
                    ..Default::default()
                });
            }
        }
    }
}
