//! The registry of co-action networks: one stable name per detector.
//!
//! Names are part of swarmscan's interface (command line, output files,
//! summaries): never change one. The toolkit's names are accepted as
//! aliases so a command line written for it keeps working.

use std::fmt;
use std::str::FromStr;

/// A kind of co-action network. Each has its own module under
/// [`crate::detectors`] with the full documentation.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Network {
    /// Reposts of the same post ([`crate::detectors::co_repost`]).
    CoRepost,
    /// Shares of the same URL ([`crate::detectors::co_link`]).
    CoLink,
    /// Replies to the same post ([`crate::detectors::co_reply`]).
    CoReply,
    /// The same text after normalisation ([`crate::detectors::co_text`]).
    CoText,
    /// Near-duplicate texts ([`crate::detectors::co_similar`]).
    CoSimilar,
    /// Any action at the same time ([`crate::detectors::co_post`]).
    CoPost,
    /// The same set of hashtags ([`crate::detectors::co_hashtag`]).
    CoHashtag,
}

impl Network {
    /// Every network, in registry order.
    pub const ALL: [Network; 7] = [
        Network::CoRepost,
        Network::CoLink,
        Network::CoReply,
        Network::CoText,
        Network::CoSimilar,
        Network::CoPost,
        Network::CoHashtag,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Network::CoRepost => "co_repost",
            Network::CoLink => "co_link",
            Network::CoReply => "co_reply",
            Network::CoText => "co_text",
            Network::CoSimilar => "co_similar",
            Network::CoPost => "co_post",
            Network::CoHashtag => "co_hashtag",
        }
    }

    /// The coordination-network-toolkit's name (its `edge_type`), or `None`
    /// for networks the toolkit does not have.
    pub fn cnt_name(self) -> Option<&'static str> {
        match self {
            Network::CoRepost => Some("co_retweet"),
            Network::CoLink => Some("co_link"),
            Network::CoReply => Some("co_reply"),
            Network::CoText => Some("co_tweet"),
            Network::CoSimilar => Some("co_similar_tweet"),
            Network::CoPost => Some("co_post"),
            Network::CoHashtag => None,
        }
    }

    /// One line on what an edge means.
    pub fn summary(self) -> &'static str {
        match self {
            Network::CoRepost => "reposted the same post within the window",
            Network::CoLink => "shared the same URL within the window",
            Network::CoReply => "replied to the same post within the window",
            Network::CoText => "posted the same normalised text within the window",
            Network::CoSimilar => "posted near-duplicate texts (word-token Jaccard) within the window",
            Network::CoPost => "acted within the window (a null model)",
            Network::CoHashtag => "posted the same set of hashtags within the window",
        }
    }

    /// Whether actions are matched on a shared key (a post, URL, text,
    /// hashtag set) rather than by time alone or by text similarity.
    pub fn is_keyed(self) -> bool {
        !matches!(self, Network::CoSimilar | Network::CoPost)
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown network name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown network `{0}`; expected one of co_repost, co_link, co_reply, co_text, co_similar, co_post, co_hashtag (or the toolkit's co_retweet, co_tweet, co_similar_tweet)"
)]
pub struct UnknownNetwork(pub String);

impl FromStr for Network {
    type Err = UnknownNetwork;

    /// Accepts the stable names, the toolkit's names, and either with `-`
    /// instead of `_`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.trim().to_ascii_lowercase().replace('-', "_");
        Network::ALL
            .into_iter()
            .find(|n| n.as_str() == norm || n.cnt_name() == Some(norm.as_str()))
            .ok_or_else(|| UnknownNetwork(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_aliases_resolve() {
        for n in Network::ALL {
            assert_eq!(n.as_str().parse::<Network>(), Ok(n));
            if let Some(c) = n.cnt_name() {
                assert_eq!(c.parse::<Network>(), Ok(n));
            }
        }
        assert_eq!("co_retweet".parse(), Ok(Network::CoRepost));
        assert_eq!("co_tweet".parse(), Ok(Network::CoText));
        assert_eq!("co-similar-tweet".parse(), Ok(Network::CoSimilar));
        assert!("co_like".parse::<Network>().is_err());
    }
}
