//! The columnar event table.

use crate::intern::{Interner, Sym};
use crate::keys::{KeyStr, Keys};
use hashbrown::HashMap;
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
/// the interner named in its doc. The small and list-valued parts of a row
/// are packed (issue #17: 31 bytes a row before the lists, instead of 42):
///
/// * `kind_platform`: the platform in the low three bits, the kind above;
///   read them with [`Events::platform`] and [`Events::kind`].
/// * `lang`: one byte, `0` for none, `1..=254` for the table's first 254
///   languages (`langs[code − 1]`), and `LANG_IN_VALUES` (255) when the
///   language's `Sym` is the row's first list value (the 255th and later
///   distinct languages of a table: mapped CSVs can hold anything there);
///   read it with [`Events::lang`].
/// * The lists (`urls`, `hashtags`, `mentions`) share one value column.
///   Row `i`'s values are `values[list_offsets[i]..list_offsets[i + 1]]`:
///   the language if escaped, then the URL and hashtag counts if either is
///   15 or more (`shape[i]` holds both counts in four bits each
///   otherwise), then the URLs as written, the same URLs expanded, the
///   hashtags and the mentions. Read them with [`Events::urls`],
///   [`Events::hashtags`] and [`Events::mentions`].
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

    /// In `keys`.
    pub post: Vec<Sym>,
    /// In `account_ids`.
    pub account: Vec<Sym>,
    /// UTC milliseconds since the Unix epoch.
    pub ts_ms: Vec<i64>,
    /// In `keys`; `NONE` for original posts.
    pub target: Vec<Sym>,
    /// In `texts`; `NONE` when empty.
    pub text: Vec<Sym>,
    kind_platform: Vec<u8>,
    lang: Vec<u8>,
    /// The languages coded `1..=254`, in `strings`.
    langs: Vec<Sym>,
    /// `langs` inverted: a language's `Sym` to its code.
    lang_code: HashMap<Sym, u8>,
    shape: Vec<u8>,
    list_offsets: Vec<u32>,
    /// In `strings`, except the escaped counts (see above).
    values: Vec<Sym>,
}

/// `Events::lang` code of a row whose language `Sym` is its first list value.
const LANG_IN_VALUES: u8 = u8::MAX;

/// The largest count `Events::shape` holds in its four bits, plus one.
const WIDE: u8 = 0xF;

/// The `Events::shape` of a row whose URL and hashtag counts are in its
/// values.
const ESCAPED: u8 = WIDE | WIDE << 4;

impl Default for Events {
    fn default() -> Self {
        Events::new()
    }
}

fn opt_intern(i: &mut Interner, s: &str) -> Sym {
    if s.is_empty() { Sym::NONE } else { i.intern(s) }
}

fn offset(n: usize) -> u32 {
    u32::try_from(n).expect("more than 2^32 list values in one event table")
}

/// Where a row's lists are in [`Events`]'s value column.
#[derive(Clone, Copy)]
struct ListSpan {
    /// First URL as written.
    start: usize,
    urls: usize,
    hashtags: usize,
    end: usize,
}

impl ListSpan {
    fn written(self) -> std::ops::Range<usize> {
        self.start..self.start + self.urls
    }

    fn expanded(self) -> std::ops::Range<usize> {
        self.start + self.urls..self.start + 2 * self.urls
    }

    fn hashtags(self) -> std::ops::Range<usize> {
        self.start + 2 * self.urls..self.start + 2 * self.urls + self.hashtags
    }

    fn mentions(self) -> std::ops::Range<usize> {
        self.start + 2 * self.urls + self.hashtags..self.end
    }
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
            post: Vec::new(),
            account: Vec::new(),
            ts_ms: Vec::new(),
            target: Vec::new(),
            text: Vec::new(),
            kind_platform: Vec::new(),
            lang: Vec::new(),
            langs: Vec::new(),
            lang_code: HashMap::default(),
            shape: Vec::new(),
            list_offsets: vec![0],
            values: Vec::new(),
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
        let post = self.keys.intern(e.post_id);
        self.post.push(post);
        self.account.push(account);
        self.ts_ms.push(e.ts_ms);
        let target = match e.target {
            Some(t) if !t.is_empty() => self.keys.intern(t),
            _ => Sym::NONE,
        };
        self.target.push(target);
        let text = opt_intern(&mut self.texts, e.text);
        self.text.push(text);
        self.kind_platform.push(pack(e.kind.unwrap_or(Kind::Post), e.platform.unwrap_or(Platform::Other)));
        let lang = opt_intern(&mut self.strings, e.lang);
        let nu = e.urls.len();
        self.push_head(lang, nu, e.hashtags.len());
        let base = self.values.len();
        self.values.resize(base + 2 * nu, Sym::NONE);
        for (j, u) in e.urls.iter().enumerate() {
            let w = self.strings.intern(u.written);
            let x = if u.expanded.is_empty() || u.expanded == u.written { w } else { self.strings.intern(u.expanded) };
            self.values[base + j] = w;
            self.values[base + nu + j] = x;
        }
        for h in e.hashtags.iter().chain(e.mentions) {
            let h = self.strings.intern(h);
            self.values.push(h);
        }
        self.list_offsets.push(offset(self.values.len()));
    }

    /// The code of a language (see [`Events`]), giving it one if there is
    /// room.
    fn code_of(&mut self, lang: Sym) -> u8 {
        if lang.is_none() {
            return 0;
        }
        if let Some(&c) = self.lang_code.get(&lang) {
            return c;
        }
        if self.langs.len() == usize::from(LANG_IN_VALUES - 1) {
            return LANG_IN_VALUES;
        }
        self.langs.push(lang);
        let c = self.langs.len() as u8;
        self.lang_code.insert(lang, c);
        c
    }

    /// Starts a row's lists: codes its language and writes what goes
    /// before the URLs (the escaped language and counts).
    fn push_head(&mut self, lang: Sym, urls: usize, hashtags: usize) {
        let code = self.code_of(lang);
        self.lang.push(code);
        if code == LANG_IN_VALUES {
            self.values.push(lang);
        }
        if urls < usize::from(WIDE) && hashtags < usize::from(WIDE) {
            self.shape.push(urls as u8 | (hashtags as u8) << 4);
        } else {
            self.shape.push(ESCAPED);
            self.values.push(Sym(offset(urls)));
            self.values.push(Sym(offset(hashtags)));
        }
    }

    /// Where row `i`'s lists are in `values`.
    #[inline]
    fn span(&self, i: usize) -> ListSpan {
        let (mut start, end) = (self.list_offsets[i] as usize, self.list_offsets[i + 1] as usize);
        if self.lang[i] == LANG_IN_VALUES {
            start += 1;
        }
        let shape = self.shape[i];
        let (urls, hashtags) = if shape == ESCAPED {
            start += 2;
            (self.values[start - 2].idx(), self.values[start - 1].idx())
        } else {
            (usize::from(shape & WIDE), usize::from(shape >> 4))
        };
        ListSpan { start, urls, hashtags, end }
    }

    /// Row `i`'s platform.
    #[inline]
    pub fn platform(&self, i: usize) -> Platform {
        Platform::ALL[usize::from(self.kind_platform[i] & 0b111)]
    }

    /// Row `i`'s kind.
    #[inline]
    pub fn kind(&self, i: usize) -> Kind {
        Kind::ALL[usize::from(self.kind_platform[i] >> 3)]
    }

    /// Row `i`'s language, a symbol in `strings` (`NONE` when unknown).
    #[inline]
    pub fn lang(&self, i: usize) -> Sym {
        match self.lang[i] {
            0 => Sym::NONE,
            LANG_IN_VALUES => self.values[self.list_offsets[i] as usize],
            c => self.langs[usize::from(c) - 1],
        }
    }

    /// Row `i`'s URLs: `(written, expanded)` symbols in `strings`.
    pub fn urls(&self, i: usize) -> impl ExactSizeIterator<Item = (Sym, Sym)> + Clone + '_ {
        let s = self.span(i);
        self.values[s.written()].iter().copied().zip(self.values[s.expanded()].iter().copied())
    }

    /// Row `i`'s URLs as expanded, symbols in `strings`.
    pub fn urls_expanded(&self, i: usize) -> &[Sym] {
        &self.values[self.span(i).expanded()]
    }

    /// Row `i`'s hashtags, symbols in `strings`.
    pub fn hashtags(&self, i: usize) -> &[Sym] {
        &self.values[self.span(i).hashtags()]
    }

    /// Row `i`'s mentions, symbols in `strings`.
    pub fn mentions(&self, i: usize) -> &[Sym] {
        &self.values[self.span(i).mentions()]
    }

    /// The number of URLs, hashtags and mentions of all rows.
    pub fn list_counts(&self) -> (usize, usize, usize) {
        (0..self.len())
            .map(|i| self.span(i))
            .fold((0, 0, 0), |(u, h, m), s| (u + s.urls, h + s.hashtags, m + s.mentions().len()))
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
            platform: self.platform(i),
            post_id: self.keys.resolve(self.post[i]),
            account_id: self.account_ids.resolve(account),
            handle: self.handle(account),
            ts_ms: self.ts_ms[i],
            kind: self.kind(i),
            target: self.target[i].get().map(|t| self.keys.resolve(t)),
            text: self.texts.resolve_or_empty(self.text[i]),
            lang: self.strings.resolve_or_empty(self.lang(i)),
            urls: self.urls(i).map(|(w, x)| (self.strings.resolve(w), self.strings.resolve(x))).collect(),
            hashtags: self.hashtags(i).iter().map(|&s| self.strings.resolve(s)).collect(),
            mentions: self.mentions(i).iter().map(|&s| self.strings.resolve(s)).collect(),
        }
    }

    /// A new table of the rows `keep` accepts, in their order (each row
    /// pushed again as [`Events::row`] reads it).
    pub fn filtered(&self, mut keep: impl FnMut(usize) -> bool) -> Events {
        let mut out = Events::new();
        for i in (0..self.len()).filter(|&i| keep(i)) {
            let r = self.row(i);
            let urls: Vec<RawUrl<'_>> =
                r.urls.iter().map(|&(written, expanded)| RawUrl { written, expanded }).collect();
            let (post, target) = (r.post_id, r.target);
            out.push(&RawEvent {
                platform: Some(r.platform),
                post_id: &post,
                account_id: r.account_id,
                handle: r.handle,
                ts_ms: r.ts_ms,
                kind: Some(r.kind),
                target: target.as_deref(),
                text: r.text,
                lang: r.lang,
                urls: &urls,
                hashtags: &r.hashtags,
                mentions: &r.mentions,
            });
        }
        out
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
        self.post.extend(other.post.iter().map(|&s| keys[s.idx()]));
        self.account.extend(other.account.iter().map(|&s| accounts[s.idx()]));
        self.ts_ms.extend_from_slice(&other.ts_ms);
        self.target.extend(other.target.iter().map(|&s| map(&keys, s)));
        self.text.extend(other.text.iter().map(|&s| map(&texts, s)));
        self.kind_platform.extend_from_slice(&other.kind_platform);
        // Lists: a row's values are copied with their strings renumbered,
        // after its language is coded here and its escaped counts copied.
        let codes: Vec<u8> = other.langs.iter().map(|&l| self.code_of(strings[l.idx()])).collect();
        self.values.reserve(other.values.len());
        for i in 0..other.len() {
            let (mut j, end) = (other.list_offsets[i] as usize, other.list_offsets[i + 1] as usize);
            let (lang, code) = match other.lang[i] {
                0 => (Sym::NONE, 0),
                LANG_IN_VALUES => {
                    j += 1;
                    let lang = strings[other.values[j - 1].idx()];
                    (lang, self.code_of(lang))
                }
                c => (strings[other.langs[usize::from(c) - 1].idx()], codes[usize::from(c) - 1]),
            };
            self.lang.push(code);
            if code == LANG_IN_VALUES {
                self.values.push(lang);
            }
            self.shape.push(other.shape[i]);
            if other.shape[i] == ESCAPED {
                self.values.extend_from_slice(&other.values[j..j + 2]);
                j += 2;
            }
            self.values.extend(other.values[j..end].iter().map(|&s| strings[s.idx()]));
            self.list_offsets.push(offset(self.values.len()));
        }
    }

    /// Heap bytes of the per-row columns (excluding the interners' strings).
    pub fn column_bytes(&self) -> usize {
        self.post.capacity() * 4
            + self.account.capacity() * 4
            + self.ts_ms.capacity() * 8
            + self.target.capacity() * 4
            + self.text.capacity() * 4
            + self.kind_platform.capacity()
            + self.lang.capacity()
            + self.langs.capacity() * 4
            + self.lang_code.capacity() * 8
            + self.shape.capacity()
            + self.list_offsets.capacity() * 4
            + self.values.capacity() * 4
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
            post,
            account,
            ts_ms,
            target,
            text,
            kind_platform,
            lang,
            langs,
            shape,
            list_offsets,
            values
        );
    }
}

/// `Events::kind_platform`'s byte.
fn pack(kind: Kind, platform: Platform) -> u8 {
    platform as u8 | (kind as u8) << 3
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

    #[test]
    fn filtered_keeps_the_rows_asked_for_unchanged() {
        let u = [RawUrl { written: "https://t.co/x", expanded: "https://example.org/x" }];
        let rows = [ev("1", "a", 10, None, &u), ev("2", "b", 20, Some("1"), &[]), ev("x3", "a", 30, Some("2"), &u)];
        let mut all = Events::new();
        rows.iter().for_each(|r| all.push(r));
        let odd = all.filtered(|i| i != 1);
        assert_eq!(odd.len(), 2);
        assert_eq!(odd.row(0), all.row(0));
        assert_eq!(odd.row(1), all.row(2));
        assert_eq!(odd.num_accounts(), 1);
        let same = all.filtered(|_| true);
        assert!((0..3).all(|i| same.row(i) == all.row(i)));
        assert!(all.filtered(|_| false).is_empty());
    }

    /// One generated row: `(lang, urls, hashtags, mentions, kind, platform)`.
    type Spec = (u16, Vec<(u8, bool)>, Vec<u8>, Vec<u8>, u8, u8);

    fn spec() -> impl proptest::strategy::Strategy<Value = Spec> {
        use proptest::prelude::*;
        // Languages from a set larger than the 254 codes; lists that cross
        // the four-bit counts (15) now and then.
        let list = || prop_oneof![4 => proptest::collection::vec(any::<u8>(), 0..4), 1 => proptest::collection::vec(any::<u8>(), 0..20)];
        let url = (any::<u8>(), any::<bool>());
        (
            0..400u16,
            prop_oneof![4 => proptest::collection::vec(url, 0..4), 1 => proptest::collection::vec(url, 0..20)],
            list(),
            list(),
            0..Kind::ALL.len() as u8,
            0..Platform::ALL.len() as u8,
        )
    }

    /// Pushes rows given by [`spec`] (language `0` is none), with post ids
    /// counted from `first_id`.
    fn push_specs(ev: &mut Events, specs: &[Spec], first_id: usize) {
        for (i, (lang, urls, tags, mentions, kind, platform)) in specs.iter().enumerate() {
            let lang = if *lang == 0 { String::new() } else { format!("l{lang}") };
            let written: Vec<String> = urls.iter().map(|(u, _)| format!("https://t.co/{u}")).collect();
            let expanded: Vec<String> =
                urls.iter().map(|(u, x)| if *x { format!("https://example.org/{u}") } else { String::new() }).collect();
            let urls: Vec<RawUrl<'_>> =
                written.iter().zip(&expanded).map(|(w, x)| RawUrl { written: w, expanded: x }).collect();
            let tags: Vec<String> = tags.iter().map(|t| format!("t{t}")).collect();
            let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
            let mentions: Vec<String> = mentions.iter().map(|m| format!("m{m}")).collect();
            let mentions: Vec<&str> = mentions.iter().map(String::as_str).collect();
            let id = (first_id + i).to_string();
            ev.push(&RawEvent {
                platform: Platform::from_code(*platform),
                post_id: &id,
                account_id: "a",
                kind: Kind::from_code(*kind),
                lang: &lang,
                urls: &urls,
                hashtags: &tags,
                mentions: &mentions,
                ..Default::default()
            });
        }
    }

    proptest::proptest! {
        /// The packed columns give back every row as pushed, and tables
        /// appended chunk by chunk equal one sequential read, whether the
        /// language codes run out or not.
        #[test]
        fn packed_rows_round_trip(specs in proptest::collection::vec(spec(), 0..700), cut in 0..700usize) {
            let mut one = Events::new();
            push_specs(&mut one, &specs, 0);
            for (i, (lang, urls, tags, mentions, kind, platform)) in specs.iter().enumerate() {
                let r = one.row(i);
                proptest::prop_assert_eq!(r.kind as u8, *kind);
                proptest::prop_assert_eq!(r.platform as u8, *platform);
                proptest::prop_assert_eq!(r.lang.to_string(), if *lang == 0 { String::new() } else { format!("l{lang}") });
                proptest::prop_assert_eq!(r.urls.len(), urls.len());
                for ((w, x), (u, e)) in r.urls.iter().zip(urls) {
                    proptest::prop_assert_eq!(w.to_string(), format!("https://t.co/{u}"));
                    let want = if *e { format!("https://example.org/{u}") } else { format!("https://t.co/{u}") };
                    proptest::prop_assert_eq!(x.to_string(), want);
                }
                let t: Vec<String> = tags.iter().map(|t| format!("t{t}")).collect();
                proptest::prop_assert_eq!(&r.hashtags, &t);
                let m: Vec<String> = mentions.iter().map(|m| format!("m{m}")).collect();
                proptest::prop_assert_eq!(&r.mentions, &m);
            }
            let cut = cut.min(specs.len());
            let (mut left, mut right) = (Events::new(), Events::for_appending());
            push_specs(&mut left, &specs[..cut], 0);
            push_specs(&mut right, &specs[cut..], cut);
            left.append(right);
            proptest::prop_assert_eq!(left.len(), one.len());
            for i in 0..one.len() {
                proptest::prop_assert_eq!(left.row(i), one.row(i));
            }
            let counts = specs.iter().fold((0, 0, 0), |c, s| (c.0 + s.1.len(), c.1 + s.2.len(), c.2 + s.3.len()));
            proptest::prop_assert_eq!(one.list_counts(), counts);
            proptest::prop_assert_eq!(left.list_counts(), counts);
        }
    }
}
