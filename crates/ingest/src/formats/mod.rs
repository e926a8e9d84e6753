//! One module per input format. Each turns a record into a
//! [`swarmscan_model::RawEvent`] or a located skip; the drivers in
//! `json.rs` / `csvin.rs` do the I/O, chunking and parallelism.

mod bluesky;
mod cnt;
mod common;
mod coortweet;
mod crowdtangle;
mod ira;
mod mapped;
mod mastodon;
mod telegram;
mod twarc2;
mod twitter_v1;

use crate::csvin::CsvFormat;
use crate::json::JsonFormat;
use crate::mapping::ColumnMap;
use crate::sniff::Format;

/// The reader of a JSON-based format.
pub(crate) fn json_format(f: Format) -> Option<Box<dyn JsonFormat>> {
    Some(match f {
        Format::Twarc2 => Box::new(twarc2::Twarc2),
        Format::TwitterV1 => Box::new(twitter_v1::TwitterV1),
        Format::Telegram => Box::new(telegram::Telegram),
        Format::Bluesky => Box::new(bluesky::Jetstream),
        Format::Mastodon => Box::new(mastodon::Mastodon),
        _ => return None,
    })
}

/// The reader of a CSV-based format, configured from its header row.
pub(crate) fn csv_format(
    f: Format,
    header: &[String],
    columns: Option<&ColumnMap>,
) -> Result<Box<dyn CsvFormat>, String> {
    Ok(match f {
        Format::Cnt => Box::new(cnt::Cnt::from_header(header)?),
        Format::Ira => Box::new(ira::Ira::from_header(header)?),
        Format::CrowdTangle => Box::new(crowdtangle::CrowdTangle::from_header(header)?),
        Format::CooRTweet => Box::new(coortweet::CooRTweet::from_header(header)?),
        Format::MappedCsv => {
            let map = columns.ok_or("--format csv needs a --columns mapping")?;
            Box::new(mapped::Mapped::from_header(header, map)?)
        }
        other => return Err(format!("{other} is not a CSV format")),
    })
}
