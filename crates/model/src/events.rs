//! The columnar event table.

use crate::intern::{Interner, Sym};
use crate::keys::{KeyStr, Keys};
use serde::{Deserialize, Serialize};

/// Where an event happened.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize, bytemuck::NoUninit)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Platform {
    Twitter = 0,
    Telegram = 1,
    Bluesky = 2,
    Mastodon = 3,
    Facebook = 4,
    Instagram = 5,
    Other = 6,
}

impl Platform {
    /// Every platform, in code order.
    pub const ALL: [Platform; 7] = [
        Platform::Twitter,
        Platform::Telegram,
        Platform::Bluesky,
        Platform::Mastodon,
        Platform::Facebook,
        Platform::Instagram,
        Platform::Other,
    ];

    /// Stable lower-case name (used in files; never change one).
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Twitter => "twitter",
            Platform::Telegram => "telegram",
            Platform::Bluesky => "bluesky",
            Platform::Mastodon => "mastodon",
            Platform::Facebook => "facebook",
            Platform::Instagram => "instagram",
            Platform::Other => "other",
        }
    }

    /// Inverse of [`Platform::as_str`].
    pub fn parse(s: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Inverse of `self as u8`.
    pub fn from_code(c: u8) -> Option<Platform> {
        Platform::ALL.get(c as usize).copied()
    }
}

/// What an account did.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize, bytemuck::NoUninit)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Kind {
    /// An original post.
    Post = 0,
    /// A retweet, boost or repost of `target`.
    Repost = 1,
    /// A reply to `target`.
    Reply = 2,
    /// A quote of `target`, with text of its own.
    Quote = 3,
    /// A Telegram forward; `target` names the source channel or post.
    Forward = 4,
    /// A like of `target`.
    Like = 5,
}

impl Kind {
    /// Every kind, in code order.
    pub const ALL: [Kind; 6] = [Kind::Post, Kind::Repost, Kind::Reply, Kind::Quote, Kind::Forward, Kind::Like];

    /// Stable lower-case name (used in files; never change one).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Post => "post",
            Kind::Repost => "repost",
            Kind::Reply => "reply",
            Kind::Quote => "quote",
            Kind::Forward => "forward",
            Kind::Like => "like",
        }
    }

    /// Inverse of [`Kind::as_str`].
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Inverse of `self as u8`.
    pub fn from_code(c: u8) -> Option<Kind> {
        Kind::ALL.get(c as usize).copied()
    }
}

/// A URL as written in the post and, where the source gives it, expanded
/// (t.co unwound, a facet's full URI). `expanded` is empty when unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct RawUrl<'a> {
    pub written: &'a str,
    pub expanded: &'a str,
}

/// One event as a reader sees it: borrowed strings, not yet interned.
///
/// Empty strings mean "absent" for `handle`, `text` and `lang`.
#[derive(Clone, Copy, Debug, Default)]
pub struct RawEvent<'a> {
    pub platform: Option<Platform>,
    pub post_id: &'a str,
    pub account_id: &'a str,
    pub handle: &'a str,
    pub ts_ms: i64,
    pub kind: Option<Kind>,
    pub target: Option<&'a str>,
    pub text: &'a str,
    pub lang: &'a str,
    pub urls: &'a [RawUrl<'a>],
    pub hashtags: &'a [&'a str],
    pub mentions: &'a [&'a str],
}

/// An account: its id as the platform gives it and the first handle seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Account {
    /// In [`Events::account_ids`].
    pub id: Sym,
    /// In [`Events::strings`]; `Sym::NONE` if never seen.
    pub handle: Sym,
}

/// A table of events, one row per action, stored by column.
///
/// Rows keep input order; nothing here sorts. Every `Sym` column points into
/// the interner named in its doc. List columns (`urls`, `hashtags`,
/// `mentions`) use Arrow's layout: `offsets[i]..offsets[i+1]` are row `i`'s
/// values.
#[derive(Clone, Debug)]
pub struct Events {
    /// Post and target ids (one key space, so a repost's target *is* the post).
    pub keys: Keys,
    /// Account ids; `Sym(i)` here is account `i`.
    pub account_ids: Interner,
    /// Post texts.
    pub texts: Interner,
    /// URLs, hashtags, mentions, languages and handles.
    pub strings: Interner,
    /// Per account (indexed by the account's `Sym` in `account_ids`).
    pub account_handle: Vec<Sym>,

    pub platform: Vec<Platform>,
    /// In `keys`.
    pub post: Vec<Sym>,
    /// In `account_ids`.
    pub account: Vec<Sym>,
    /// UTC milliseconds since the Unix epoch.
    pub ts_ms: Vec<i64>,
    pub kind: Vec<Kind>,
    /// In `keys`; `NONE` for original posts.
    pub target: Vec<Sym>,
    /// In `texts`; `NONE` when empty.
    pub text: Vec<Sym>,
    /// In `strings`; `NONE` when unknown.
    pub lang: Vec<Sym>,
    pub url_offsets: Vec<i32>,
    /// In `strings`.
    pub url_written: Vec<Sym>,
    /// In `strings`; equals `url_written` when no expansion was given.
    pub url_expanded: Vec<Sym>,
    pub hashtag_offsets: Vec<i32>,
    /// In `strings`, as written (without `#`).
    pub hashtags: Vec<Sym>,
    pub mention_offsets: Vec<i32>,
    /// In `strings`, as written (without `@`).
    pub mentions: Vec<Sym>,
}

impl Default for Events {
    fn default() -> Self {
        Events::new()
    }
}

fn opt_intern(i: &mut Interner, s: &str) -> Sym {
    if s.is_empty() { Sym::NONE } else { i.intern(s) }
}

fn offset(n: usize) -> i32 {
    i32::try_from(n).expect("more than 2^31 list values in one event table")
}

/// One row with its strings resolved; see [`Events::row`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRef<'a> {
    pub platform: Platform,
    pub post_id: KeyStr<'a>,
    pub account_id: &'a str,
    pub handle: &'a str,
    pub ts_ms: i64,
    pub kind: Kind,
    pub target: Option<KeyStr<'a>>,
    pub text: &'a str,
    pub lang: &'a str,
    /// `(written, expanded)` pairs.
    pub urls: Vec<(&'a str, &'a str)>,
    pub hashtags: Vec<&'a str>,
    pub mentions: Vec<&'a str>,
}

impl Events {
    /// An empty table.
    pub fn new() -> Self {
        Events {
            keys: Keys::new(),
            account_ids: Interner::new(),
            texts: Interner::new(),
            strings: Interner::new(),
            account_handle: Vec::new(),
            platform: Vec::new(),
            post: Vec::new(),
            account: Vec::new(),
            ts_ms: Vec::new(),
            kind: Vec::new(),
            target: Vec::new(),
            text: Vec::new(),
            lang: Vec::new(),
            url_offsets: vec![0],
            url_written: Vec::new(),
            url_expanded: Vec::new(),
            hashtag_offsets: vec![0],
            hashtags: Vec::new(),
            mention_offsets: vec![0],
            mentions: Vec::new(),
        }
    }

    /// An empty table to be [`Events::append`]ed to another: its
    /// interners keep their strings' hashes, so the merge does not hash
    /// them again.
    pub fn for_appending() -> Self {
        Events {
            keys: Keys::keeping_hashes(),
            account_ids: Interner::keeping_hashes(),
            texts: Interner::keeping_hashes(),
            strings: Interner::keeping_hashes(),
            ..Events::new()
        }
    }

    /// Number of rows.
    #[inline]
    pub fn len(&self) -> usize {
        self.post.len()
    }

    /// Whether there are no rows.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.post.is_empty()
    }

    /// Number of distinct accounts.
    pub fn num_accounts(&self) -> usize {
        self.account_ids.len()
    }

    fn account(&mut self, id: &str, handle: &str) -> Sym {
        let a = self.account_ids.intern(id);
        if a.idx() == self.account_handle.len() {
            self.account_handle.push(Sym::NONE);
        }
        if self.account_handle[a.idx()].is_none() && !handle.is_empty() {
            self.account_handle[a.idx()] = self.strings.intern(handle);
        }
        a
    }

    /// Appends one event, interning its strings.
    pub fn push(&mut self, e: &RawEvent<'_>) {
        let account = self.account(e.account_id, e.handle);
        self.platform.push(e.platform.unwrap_or(Platform::Other));
        let post = self.keys.intern(e.post_id);
        self.post.push(post);
        self.account.push(account);
        self.ts_ms.push(e.ts_ms);
        self.kind.push(e.kind.unwrap_or(Kind::Post));
        let target = match e.target {
            Some(t) if !t.is_empty() => self.keys.intern(t),
            _ => Sym::NONE,
        };
        self.target.push(target);
        let text = opt_intern(&mut self.texts, e.text);
        self.text.push(text);
        let lang = opt_intern(&mut self.strings, e.lang);
        self.lang.push(lang);
        for u in e.urls {
            let w = self.strings.intern(u.written);
            let x = if u.expanded.is_empty() || u.expanded == u.written { w } else { self.strings.intern(u.expanded) };
            self.url_written.push(w);
            self.url_expanded.push(x);
        }
        self.url_offsets.push(offset(self.url_written.len()));
        for h in e.hashtags {
            let h = self.strings.intern(h);
            self.hashtags.push(h);
        }
        self.hashtag_offsets.push(offset(self.hashtags.len()));
        for m in e.mentions {
            let m = self.strings.intern(m);
            self.mentions.push(m);
        }
        self.mention_offsets.push(offset(self.mentions.len()));
    }

    #[inline]
    fn range(offsets: &[i32], i: usize) -> std::ops::Range<usize> {
        offsets[i] as usize..offsets[i + 1] as usize
    }

    /// Row `i`'s URLs: `(written, expanded)` symbols in `strings`.
    pub fn urls(&self, i: usize) -> impl ExactSizeIterator<Item = (Sym, Sym)> + '_ {
        let r = Self::range(&self.url_offsets, i);
        self.url_written[r.clone()].iter().copied().zip(self.url_expanded[r].iter().copied())
    }

    /// Row `i`'s hashtags, symbols in `strings`.
    pub fn hashtags(&self, i: usize) -> &[Sym] {
        &self.hashtags[Self::range(&self.hashtag_offsets, i)]
    }

    /// Row `i`'s mentions, symbols in `strings`.
    pub fn mentions(&self, i: usize) -> &[Sym] {
        &self.mentions[Self::range(&self.mention_offsets, i)]
    }

    /// The handle of an account, `""` if unknown.
    pub fn handle(&self, account: Sym) -> &str {
        self.strings.resolve_or_empty(self.account_handle[account.idx()])
    }

    /// Row `i` with every string resolved (for tests, evidence and writers;
    /// hot loops read the columns directly).
    pub fn row(&self, i: usize) -> EventRef<'_> {
        let account = self.account[i];
        EventRef {
            platform: self.platform[i],
            post_id: self.keys.resolve(self.post[i]),
            account_id: self.account_ids.resolve(account),
            handle: self.handle(account),
            ts_ms: self.ts_ms[i],
            kind: self.kind[i],
            target: self.target[i].get().map(|t| self.keys.resolve(t)),
            text: self.texts.resolve_or_empty(self.text[i]),
            lang: self.strings.resolve_or_empty(self.lang[i]),
            urls: self.urls(i).map(|(w, x)| (self.strings.resolve(w), self.strings.resolve(x))).collect(),
            hashtags: self.hashtags(i).iter().map(|&s| self.strings.resolve(s)).collect(),
            mentions: self.mentions(i).iter().map(|&s| self.strings.resolve(s)).collect(),
        }
    }

    /// Moves every row of `other` to the end of `self`, re-interning each of
    /// `other`'s distinct strings once. Rows keep their order, so appending
    /// per-chunk tables in chunk order gives the same table as one sequential
    /// read.
    pub fn append(&mut self, other: Events) {
        if self.is_empty() && self.keys.is_empty() && self.account_ids.is_empty() {
            *self = other;
            self.keys.drop_hashes();
            for i in [&mut self.account_ids, &mut self.texts, &mut self.strings] {
                i.drop_hashes();
            }
            return;
        }
        // The interners are independent: absorb them concurrently.
        let (keys, texts, strings) = std::thread::scope(|sc| {
            let (k, t) = (&mut self.keys, &mut self.texts);
            let keys = sc.spawn(|| k.absorb(&other.keys));
            let texts = sc.spawn(|| t.absorb(&other.texts));
            let strings = self.strings.absorb(&other.strings);
            (keys.join().expect("absorb keys"), texts.join().expect("absorb texts"), strings)
        });
        let map = |m: &[Sym], s: Sym| if s.is_none() { s } else { m[s.idx()] };
        let mut accounts = Vec::with_capacity(other.account_ids.len());
        for (i, a) in self.account_ids.absorb(&other.account_ids).into_iter().enumerate() {
            if a.idx() == self.account_handle.len() {
                self.account_handle.push(Sym::NONE);
            }
            if self.account_handle[a.idx()].is_none() {
                self.account_handle[a.idx()] = map(&strings, other.account_handle[i]);
            }
            accounts.push(a);
        }
        self.platform.extend_from_slice(&other.platform);
        self.post.extend(other.post.iter().map(|&s| keys[s.idx()]));
        self.account.extend(other.account.iter().map(|&s| accounts[s.idx()]));
        self.ts_ms.extend_from_slice(&other.ts_ms);
        self.kind.extend_from_slice(&other.kind);
        self.target.extend(other.target.iter().map(|&s| map(&keys, s)));
        self.text.extend(other.text.iter().map(|&s| map(&texts, s)));
        self.lang.extend(other.lang.iter().map(|&s| map(&strings, s)));
        for (offsets, values, other_offsets, other_values) in [
            (&mut self.url_offsets, &mut self.url_written, &other.url_offsets, &other.url_written),
            (&mut self.hashtag_offsets, &mut self.hashtags, &other.hashtag_offsets, &other.hashtags),
            (&mut self.mention_offsets, &mut self.mentions, &other.mention_offsets, &other.mentions),
        ] {
            let base = values.len();
            offsets.extend(other_offsets[1..].iter().map(|&o| offset(base + o as usize)));
            values.extend(other_values.iter().map(|&s| strings[s.idx()]));
        }
        self.url_expanded.extend(other.url_expanded.iter().map(|&s| strings[s.idx()]));
    }

    /// Heap bytes of the per-row columns (excluding the interners' strings).
    pub fn column_bytes(&self) -> usize {
        self.platform.capacity()
            + self.post.capacity() * 4
            + self.account.capacity() * 4
            + self.ts_ms.capacity() * 8
            + self.kind.capacity()
            + self.target.capacity() * 4
            + self.text.capacity() * 4
            + self.lang.capacity() * 4
            + (self.url_offsets.capacity() + self.hashtag_offsets.capacity() + self.mention_offsets.capacity()) * 4
            + (self.url_written.capacity() + self.url_expanded.capacity()) * 4
            + self.hashtags.capacity() * 4
            + self.mentions.capacity() * 4
            + self.account_handle.capacity() * 4
    }

    /// Heap bytes of the interners (strings, offsets, hash tables).
    pub fn interned_bytes(&self) -> usize {
        self.keys.heap_bytes() + self.account_ids.heap_bytes() + self.texts.heap_bytes() + self.strings.heap_bytes()
    }

    /// Frees what only loading needs: the interners' hash tables
    /// ([`Interner::seal`], [`Keys::seal`]) and every column's spare
    /// capacity. Reading and resolving are unchanged; appending afterwards
    /// builds the tables again.
    pub fn seal(&mut self) {
        self.keys.seal();
        for i in [&mut self.account_ids, &mut self.texts, &mut self.strings] {
            i.seal();
        }
        self.shrink_to_fit();
    }

    /// Frees spare capacity after loading.
    pub fn shrink_to_fit(&mut self) {
        macro_rules! shrink { ($($f:ident),*) => { $(self.$f.shrink_to_fit();)* } }
        shrink!(
            account_handle,
            platform,
            post,
            account,
            ts_ms,
            kind,
            target,
            text,
            lang,
            url_offsets,
            url_written,
            url_expanded,
            hashtag_offsets,
            hashtags,
            mention_offsets,
            mentions
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev<'a>(
        post: &'a str,
        account: &'a str,
        ts: i64,
        target: Option<&'a str>,
        urls: &'a [RawUrl<'a>],
    ) -> RawEvent<'a> {
        RawEvent {
            platform: Some(Platform::Twitter),
            post_id: post,
            account_id: account,
            handle: account,
            ts_ms: ts,
            kind: Some(if target.is_some() { Kind::Repost } else { Kind::Post }),
            target,
            text: "hello",
            urls,
            ..Default::default()
        }
    }

    #[test]
    fn append_equals_sequential_push() {
        let u = [RawUrl { written: "https://t.co/x", expanded: "https://example.org/x" }];
        let rows = [ev("1", "a", 10, None, &u), ev("2", "b", 20, Some("1"), &[]), ev("3", "a", 30, Some("2"), &u)];
        let mut one = Events::new();
        rows.iter().for_each(|r| one.push(r));
        let mut left = Events::new();
        left.push(&rows[0]);
        let mut right = Events::new();
        right.push(&rows[1]);
        right.push(&rows[2]);
        left.append(right);
        assert_eq!(left.len(), 3);
        for i in 0..3 {
            assert_eq!(left.row(i), one.row(i));
        }
        assert_eq!(left.num_accounts(), 2);
        assert_eq!(left.row(2).urls, vec![("https://t.co/x", "https://example.org/x")]);
        assert_eq!(left.row(1).target.as_deref(), Some("1"));
    }
}
