//! The signals `scan` tests, and how each one's keys and sources are built.

use std::fmt;

/// One kind of co-action evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// Reposting the same post within the window.
    CoRepost,
    /// Reposting posts of the same accounts within the window (the accounts
    /// amplified, rather than the posts).
    CoAmplify,
    /// Replying to the same post within the window.
    CoReply,
    /// Replying to the same accounts within the window.
    CoTarget,
    /// Sharing the same (canonical) URL within the window.
    CoLink,
    /// Using the same hashtag set within the window, in one burst of the set
    /// (its uses chained by gaps of at most the window).
    CoHashtag,
    /// Posting the same normalised text within the window.
    CoText,
    /// Posting near-duplicate texts (one burst of similar texts) within the
    /// window.
    CoSimilar,
}

impl Signal {
    /// Every signal, in output order.
    pub const ALL: [Signal; 8] = [
        Signal::CoRepost,
        Signal::CoAmplify,
        Signal::CoReply,
        Signal::CoTarget,
        Signal::CoLink,
        Signal::CoHashtag,
        Signal::CoText,
        Signal::CoSimilar,
    ];

    /// Position in [`Signal::ALL`] (the declaration order).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The name used in outputs and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::CoRepost => "co_repost",
            Signal::CoAmplify => "co_amplify",
            Signal::CoReply => "co_reply",
            Signal::CoTarget => "co_target",
            Signal::CoLink => "co_link",
            Signal::CoHashtag => "co_hashtag",
            Signal::CoText => "co_text",
            Signal::CoSimilar => "co_similar",
        }
    }

    /// Parses [`Signal::as_str`].
    pub fn parse(s: &str) -> Option<Signal> {
        Signal::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The default window, in milliseconds, and why.
    pub fn default_window(self) -> (i64, &'static str) {
        match self {
            Signal::CoRepost | Signal::CoAmplify => (
                120_000,
                "automated and organised reposting lands within seconds to a couple of minutes (CooRTweet and the toolkit use 10–60 s); 2 min keeps slower human-run rings, the null model pays for the wider window",
            ),
            Signal::CoReply | Signal::CoTarget => {
                (600_000, "reply swarms arrive over minutes after the target posts; 10 min")
            }
            Signal::CoLink => (
                3_600_000,
                "link campaigns are spread over hours to look organic; 1 h catches them while popular links are discounted by the null",
            ),
            Signal::CoHashtag => (
                600_000,
                "hashtag pushes are timed bursts of minutes; 10 min, also the gap that ends a burst of a tag set",
            ),
            Signal::CoText | Signal::CoSimilar => {
                (900_000, "copypasta is posted within minutes of the script's release; 15 min")
            }
        }
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_and_names_round_trip() {
        for (i, s) in Signal::ALL.into_iter().enumerate() {
            assert_eq!(s.index(), i);
            assert_eq!(Signal::parse(s.as_str()), Some(s));
        }
    }
}
