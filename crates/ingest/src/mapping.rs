//! `--columns`: reading any CSV by naming which column holds which field.

use std::fmt;
use std::str::FromStr;

/// A model field a CSV column can feed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord)]
pub enum Field {
    PostId,
    AccountId,
    Handle,
    Timestamp,
    Kind,
    Target,
    Text,
    Urls,
    Hashtags,
    Mentions,
    Lang,
    Platform,
}

impl Field {
    pub const ALL: [Field; 12] = [
        Field::PostId,
        Field::AccountId,
        Field::Handle,
        Field::Timestamp,
        Field::Kind,
        Field::Target,
        Field::Text,
        Field::Urls,
        Field::Hashtags,
        Field::Mentions,
        Field::Lang,
        Field::Platform,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::PostId => "post_id",
            Field::AccountId => "account_id",
            Field::Handle => "handle",
            Field::Timestamp => "timestamp",
            Field::Kind => "kind",
            Field::Target => "target",
            Field::Text => "text",
            Field::Urls => "urls",
            Field::Hashtags => "hashtags",
            Field::Mentions => "mentions",
            Field::Lang => "lang",
            Field::Platform => "platform",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `field=column` pairs, e.g.
/// `post_id=tweet_id,account_id=user,timestamp=created_at,text=body,urls=links`.
/// `post_id`, `account_id` and `timestamp` are required.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ColumnMap {
    pub pairs: Vec<(Field, String)>,
}

impl ColumnMap {
    /// The column header mapped to `f`.
    pub fn column(&self, f: Field) -> Option<&str> {
        self.pairs.iter().find(|(g, _)| *g == f).map(|(_, c)| c.as_str())
    }
}

impl FromStr for ColumnMap {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let mut pairs = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').ok_or_else(|| format!("`{part}` is not FIELD=COLUMN"))?;
            let field = Field::ALL.into_iter().find(|f| f.as_str() == k.trim()).ok_or_else(|| {
                let names: Vec<&str> = Field::ALL.iter().map(|f| f.as_str()).collect();
                format!("unknown field `{}`; fields: {}", k.trim(), names.join(", "))
            })?;
            if pairs.iter().any(|(f, _)| *f == field) {
                return Err(format!("field `{field}` mapped twice"));
            }
            pairs.push((field, v.trim().to_string()));
        }
        for req in [Field::PostId, Field::AccountId, Field::Timestamp] {
            if !pairs.iter().any(|(f, _)| *f == req) {
                return Err(format!("the mapping needs `{req}=COLUMN`"));
            }
        }
        Ok(ColumnMap { pairs })
    }
}
