//! One time slice of activity: the organic posts that start in the slice,
//! the scheduled actions (celebrity posts, operation actions) that fall in
//! it, and every follow-up they cause (reposts, replies, quotes, delayed
//! shares), which may land in later slices.
//!
//! A slice draws only from its own random stream `(seed, slice index)` and
//! the read-only [`World`], so slices can be generated in any order or in
//! parallel with identical results. Follow-ups reference their parent by
//! local index; [`SliceGen::finish`] assigns snowflake ids and resolves them.

use rustc_hash::FxHashSet;

use crate::OpKind;
use crate::domains::{UrlSpec, article_url, push_tco};
use crate::event::{Content, Event, Kind, ORGANIC, op_tag, target_tag};
use crate::rng::{Rand, derive, tag};
use crate::text::{self, push_tag, space};
use crate::time::DAY_MS;
use crate::vocab::{CELEB_POST, EMOJI, FAN_REPLY, Lang, OTHER_SITES, OUTLETS, fold_into};
use crate::world::{ActionKind, Group, MAX_DELAY_MS, N_REGIONS, Role, TWEPOCH, World, model};

const NONE: u32 = u32::MAX;

/// Ground truth an operation action produced.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    Url(String),
    Post(u64),
}

/// Output of one slice generator.
#[derive(Debug, Default)]
pub(crate) struct SliceOut {
    pub(crate) events: Vec<Event>,
    /// `(operation, target)` in generation order.
    pub(crate) targets: Vec<(u32, Target)>,
}

struct Pre {
    ts: i64,
    author: u32,
    ref_author: u32,
    parent: u32,
    tag: u32,
    kind: Kind,
    content: Content,
}

enum PreTarget {
    Url(String),
    Post(u32),
}

pub(crate) struct SliceGen<'w> {
    w: &'w World,
    rng: Rand,
    k: u32,
    t0: i64,
    t1: i64,
    pre: Vec<Pre>,
    targets: Vec<(u32, PreTarget)>,
    text: String,
    urls: String,
    scratch: String,
    cbuf: String,
    picked: Vec<u32>,
    /// Organic authors of one region in this slice, with their times.
    batch: Vec<(i64, u32)>,
    picked_set: FxHashSet<u32>,
    /// Cumulative engagement weight of regions in this slice.
    reg_cum: [f64; N_REGIONS],
}

/// Generates slice `k` of the world.
pub(crate) fn generate_slice(w: &World, k: u32) -> SliceOut {
    let mut g = SliceGen::new(w, k);
    g.organic();
    g.actions();
    let mut out = g.finish();
    // Focus: drop the events of accounts outside the collection; the others'
    // events are the same as in the full world.
    out.events.retain(|e| w.kept(e.author));
    out
}

impl<'w> SliceGen<'w> {
    fn new(w: &'w World, k: u32) -> Self {
        let t0 = w.start_ms + i64::from(k) * w.slice_ms;
        let t1 = (t0 + w.slice_ms).min(w.end_ms);
        let mid = (t0 + t1) / 2;
        let mut reg_cum = [0.0; N_REGIONS];
        let mut acc = 0.0;
        for (r, c) in reg_cum.iter_mut().enumerate() {
            acc += w.eng_sum[r] * w.rhythm(r, mid);
            *c = acc;
        }
        Self {
            w,
            rng: Rand::derived(w.seed, tag::SLICE, u64::from(k)),
            k,
            t0,
            t1,
            pre: Vec::with_capacity(w.events_per_slice),
            targets: Vec::new(),
            text: String::with_capacity(256),
            urls: String::with_capacity(256),
            scratch: String::with_capacity(64),
            cbuf: String::with_capacity(512),
            picked: Vec::new(),
            batch: Vec::new(),
            picked_set: FxHashSet::default(),
            reg_cum,
        }
    }

    // ----- plumbing ------------------------------------------------------

    fn push(&mut self, ts: i64, author: u32, kind: Kind, parent: u32, tag: u32, content: Content) -> u32 {
        let ref_author = if parent == NONE { NONE } else { self.pre[parent as usize].author };
        self.pre.push(Pre { ts, author, ref_author, parent, tag, kind, content });
        (self.pre.len() - 1) as u32
    }

    /// Content from the current `text` and `urls` buffers.
    fn content(&mut self, lang: Lang) -> Content {
        Content::new(&mut self.cbuf, &self.text, &self.urls, lang)
    }

    fn delay(&mut self, median_s: f64, sigma: f64, min_s: f64, max_s: f64) -> i64 {
        let s = self.rng.lognormal(median_s, sigma).clamp(min_s, max_s);
        ((s * 1000.0) as i64).clamp(1000, MAX_DELAY_MS)
    }

    /// A region for a reposter: mostly the author's own, else by current activity.
    fn reposter_region(&mut self, home: usize) -> usize {
        if self.rng.chance(0.7) {
            return home;
        }
        let total = self.reg_cum[N_REGIONS - 1];
        let u = self.rng.f64() * total;
        self.reg_cum.iter().position(|&c| u < c).unwrap_or(home)
    }

    /// Draws `n` distinct engaged accounts (not `author`, not in `exclude`).
    fn draw_engaged(&mut self, n: usize, home: usize, author: u32, exclude: Option<Group>) {
        self.picked.clear();
        let use_set = n > 24;
        if use_set {
            self.picked_set.clear();
        }
        for _ in 0..n {
            for _attempt in 0..4 {
                let r = self.reposter_region(home);
                let Some(a) = self.w.eng_pools[r].sample(&mut self.rng) else {
                    break;
                };
                if a == author {
                    continue;
                }
                if let Some(g) = exclude
                    && self.w.accounts[a as usize].group == g
                {
                    continue;
                }
                let fresh = if use_set { self.picked_set.insert(a) } else { !self.picked.contains(&a) };
                if fresh {
                    self.picked.push(a);
                    break;
                }
            }
        }
    }

    // ----- content -------------------------------------------------------

    /// Appends an article's headline to `text` and its URL to `urls`.
    fn article(&mut self, oi: u16, day: i64, rank: usize) {
        let w = self.w;
        let o = &OUTLETS[usize::from(oi)];
        let key = derive(w.seed, tag::ARTICLE, (u64::from(oi) << 40) ^ ((day as u64) << 20) ^ rank as u64);
        let mut arng = Rand::new(key);
        let v = o.lang.vocab();
        let h0 = self.text.len();
        text::headline(&mut self.text, &mut arng, v);
        self.scratch.clear();
        fold_into(&mut self.scratch, &self.text[h0..]);
        while self.scratch.ends_with('-') {
            self.scratch.pop();
        }
        let section = arng.pick(v.sections);
        space_urls(&mut self.urls);
        let day_ms = w.start_ms.div_euclid(DAY_MS) * DAY_MS + day * DAY_MS;
        let spec = UrlSpec {
            host: o.domain,
            www: o.www,
            style: o.style,
            section,
            day_ms,
            key: arng.u64(),
            slug: &self.scratch,
        };
        article_url(&mut self.urls, &spec);
    }

    /// A popular article of `lang`: outlet by Zipf, mostly from today.
    fn pick_article(&mut self, lang: Lang, ts: i64) -> (u16, i64, usize) {
        let w = self.w;
        let li = lang.index();
        let oi = w.outlets_by_lang[li][w.outlet_zipf[li].sample(&mut self.rng)];
        let today = (ts - w.start_ms).div_euclid(DAY_MS);
        let back = match self.rng.below(100) {
            0..=84 => 0,
            85..=96 => 1,
            _ => 2,
        };
        (oi, today - back, w.rank_zipf.sample(&mut self.rng))
    }

    /// Writes `"<comment> <headline> <t.co>"` for the article into the buffers.
    fn link_post(&mut self, lang: Lang, ts: i64, comment: &[&str]) {
        let (oi, day, rank) = self.pick_article(lang, ts);
        let c = self.rng.pick(comment);
        self.text.push_str(c);
        space(&mut self.text);
        let before = self.urls.len();
        self.article(oi, day, rank);
        space(&mut self.text);
        push_tco(&mut self.text, self.urls[before..].trim_start());
    }

    fn other_link(&mut self, ts: i64) {
        let w = self.w;
        let day = (ts - w.start_ms).div_euclid(DAY_MS) as u64;
        let popular = self.rng.chance(0.4);
        let key = if popular {
            derive(w.seed, tag::ARTICLE, (1 << 60) ^ (day << 8) ^ w.rank_zipf.sample(&mut self.rng).min(49) as u64)
        } else {
            self.rng.u64()
        };
        let site = OTHER_SITES[(key % OTHER_SITES.len() as u64) as usize];
        space_urls(&mut self.urls);
        let before = self.urls.len();
        self.urls.push_str("https://");
        self.urls.push_str(site);
        let mut h = key >> 8;
        let mut code = |n: usize, s: &mut String| {
            const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            for _ in 0..n {
                s.push(char::from(ALPHA[(h & 63) as usize]));
                h = h.rotate_right(6).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ key;
            }
        };
        match site {
            "youtube.com" => {
                self.urls.push_str("/watch?v=");
                code(11, &mut self.urls);
            }
            "youtu.be" => {
                self.urls.push('/');
                code(11, &mut self.urls);
            }
            "github.com" | "medium.com" | "reddit.com" => {
                self.urls.push_str("/r/");
                code(8, &mut self.urls);
            }
            _ => {
                self.urls.push_str("/p/");
                code(10, &mut self.urls);
            }
        }
        space(&mut self.text);
        push_tco(&mut self.text, &self.urls[before..]);
    }

    fn hashtags(&mut self, lang: Lang, n: usize) {
        let li = lang.index();
        let v = lang.vocab();
        for _ in 0..n {
            let t = v.tags[self.w.tag_zipf[li].sample(&mut self.rng)];
            push_tag(&mut self.text, t);
        }
    }

    fn mention(&mut self, author: u32) {
        let w = self.w;
        let a = if !w.notable.is_empty() && self.rng.chance(0.5) {
            *self.rng.pick(&w.notable)
        } else {
            let r = usize::from(w.accounts[author as usize].region);
            w.act_pools[r].sample(&mut self.rng).unwrap_or(author)
        };
        if a != author {
            space(&mut self.text);
            self.text.push('@');
            self.text.push_str(w.username(a));
        }
    }

    /// Writes an original post for `author` into the buffers.
    fn compose_original(&mut self, author: u32, ts: i64) -> Lang {
        let w = self.w;
        let acc = &w.accounts[author as usize];
        let lang = w.lang_of(author);
        let v = lang.vocab();
        self.text.clear();
        self.urls.clear();
        match acc.role {
            Role::Outlet => {
                let o = &OUTLETS[usize::from(acc.outlet)];
                let today = (ts - w.start_ms).div_euclid(DAY_MS);
                let rank = w.rank_zipf.sample(&mut self.rng);
                if self.rng.chance(0.1) {
                    self.text.push_str(match o.lang {
                        Lang::En => "BREAKING:",
                        Lang::De => "EILMELDUNG:",
                        Lang::Fr => "ALERTE:",
                        Lang::Es => "ÚLTIMA HORA:",
                    });
                    space(&mut self.text);
                }
                self.article(acc.outlet, today, rank);
                space(&mut self.text);
                push_tco(&mut self.text, &self.urls);
                if self.rng.chance(0.15) {
                    self.hashtags(lang, 1);
                }
                return o.lang;
            }
            Role::Celebrity => {
                self.text.push_str(self.rng.word(CELEB_POST));
                space(&mut self.text);
                self.text.push_str(self.rng.word(EMOJI));
                if self.rng.chance(0.3) {
                    self.hashtags(lang, 1);
                }
            }
            Role::Journalist => {
                if self.rng.chance(0.5) {
                    self.link_post(lang, ts, v.link_comment);
                } else {
                    text::chatter(&mut self.text, &mut self.rng, v);
                }
            }
            Role::Amplified => {
                if self.rng.chance(0.5) {
                    self.text.push_str(self.rng.word(v.partisan));
                    if self.rng.chance(0.4) {
                        space(&mut self.text);
                        self.text.push_str(self.rng.word(EMOJI));
                    }
                } else {
                    self.link_post(lang, ts, v.link_comment);
                }
            }
            Role::Regular => {
                let roll = self.rng.f64();
                if roll < 0.26 {
                    self.link_post(lang, ts, v.link_comment);
                } else if roll < 0.29 {
                    text::chatter(&mut self.text, &mut self.rng, v);
                    self.other_link(ts);
                } else {
                    text::chatter(&mut self.text, &mut self.rng, v);
                    if self.rng.chance(0.1) {
                        self.mention(author);
                    }
                }
                if self.rng.chance(0.28) {
                    let n = if self.rng.chance(0.7) { 1 } else { 2 };
                    self.hashtags(lang, n);
                }
            }
        }
        lang
    }

    // ----- organic activity ---------------------------------------------

    fn organic(&mut self) {
        let w = self.w;
        let len = (self.t1 - self.t0) as f64;
        let mid = (self.t0 + self.t1) / 2;
        for r in 0..N_REGIONS {
            let lambda = w.orig_rate * len * w.act_share[r] * w.rhythm(r, mid);
            let n = self.rng.poisson(lambda);
            // Draw every author first and touch their records in a tight loop,
            // so the cache misses of a large world overlap instead of stalling
            // one post at a time.
            let mut batch = std::mem::take(&mut self.batch);
            batch.clear();
            for _ in 0..n {
                let ts = self.t0 + (self.rng.u64() % (self.t1 - self.t0) as u64) as i64;
                let Some(author) = w.act_pools[r].sample(&mut self.rng) else {
                    break;
                };
                batch.push((ts, author));
            }
            let touch = batch.iter().fold(0u32, |t, &(_, a)| t ^ u32::from(w.accounts[a as usize].region));
            std::hint::black_box(touch);
            for &(ts, author) in &batch {
                let lang = self.compose_original(author, ts);
                let c = self.content(lang);
                let idx = self.push(ts, author, Kind::Post, NONE, ORGANIC, c);
                self.cascade(idx, None);
            }
            self.batch = batch;
        }
    }

    /// Organic follow-ups of original post `idx`: reposts (ordinary and
    /// viral), breaking-news link shares, replies and quotes.
    fn cascade(&mut self, idx: u32, exclude: Option<Group>) {
        let w = self.w;
        let (ts, author, content) = {
            let p = &self.pre[idx as usize];
            (p.ts, p.author, p.content.clone())
        };
        let acc = &w.accounts[author as usize];
        let home = usize::from(acc.region);
        let infl = f64::from(acc.infl);

        // Reposts: ordinary ones, plus (rarely) a viral burst of unrelated
        // accounts within minutes. One draw, so nobody reposts a post twice.
        let noise = self.rng.lognormal(0.78, 0.7);
        let n_rt = (self.rng.poisson(infl * noise) as usize).min(w.viral_cap as usize);
        let viral = self.rng.chance(f64::from(acc.viral));
        let size =
            if viral { self.rng.pareto(model::VIRAL_XM, model::VIRAL_ALPHA).min(w.viral_cap) as usize } else { 0 };
        let trigger = if viral { self.rng.lognormal(120.0, 0.8).min(3600.0) } else { 0.0 };
        if n_rt + size > 0 {
            self.draw_engaged(n_rt + size, home, author, exclude);
            for i in 0..self.picked.len() {
                let a = self.picked[i];
                let d = if i < n_rt {
                    self.delay(600.0, 1.5, 3.0, 11.0 * 3600.0)
                } else {
                    let s = if self.rng.chance(0.85) {
                        trigger + self.rng.exp(240.0)
                    } else {
                        trigger + self.rng.lognormal(2400.0, 1.0)
                    };
                    ((s * 1000.0) as i64).clamp(1000, MAX_DELAY_MS)
                };
                self.push(ts + d, a, Kind::Repost, idx, ORGANIC, content.clone());
            }
        }
        if viral && acc.role == Role::Outlet && !content.urls().is_empty() {
            // Breaking news: people post the same link with their own words.
            let n = self.rng.poisson(model::BURST_SHARE * size as f64) as usize;
            self.draw_engaged(n, home, author, exclude);
            for i in 0..self.picked.len() {
                let a = self.picked[i];
                let lang = w.lang_of(a);
                let d = ((trigger + self.rng.exp(360.0)) * 1000.0) as i64;
                self.text.clear();
                self.text.push_str(self.rng.word(lang.vocab().link_comment));
                space(&mut self.text);
                self.text.push_str(content.text());
                self.urls.clear();
                self.urls.push_str(content.urls());
                let c = self.content(content.lang());
                self.push(ts + d.clamp(1000, MAX_DELAY_MS), a, Kind::Post, NONE, ORGANIC, c);
            }
        }

        // Replies.
        let n_rp = self.rng.poisson(model::replies_mean(infl)) as usize;
        if n_rp > 0 {
            self.draw_engaged(n_rp, home, author, None);
            for i in 0..self.picked.len() {
                let a = self.picked[i];
                let lang = w.lang_of(a);
                self.text.clear();
                self.urls.clear();
                self.text.push('@');
                self.text.push_str(w.username(author));
                self.text.push(' ');
                self.text.push_str(self.rng.word(lang.vocab().reply));
                if self.rng.chance(0.2) {
                    space(&mut self.text);
                    self.text.push_str(self.rng.word(EMOJI));
                }
                let d = self.delay(720.0, 1.4, 5.0, 11.0 * 3600.0);
                let c = self.content(lang);
                self.push(ts + d, a, Kind::Reply, idx, ORGANIC, c);
            }
        }

        // Quotes.
        let n_q = self.rng.poisson(model::quotes_mean(infl)) as usize;
        if n_q > 0 {
            self.draw_engaged(n_q, home, author, None);
            for i in 0..self.picked.len() {
                let a = self.picked[i];
                let lang = w.lang_of(a);
                self.text.clear();
                self.urls.clear();
                self.text.push_str(self.rng.word(lang.vocab().quote));
                let d = self.delay(1800.0, 1.3, 10.0, 11.0 * 3600.0);
                let c = self.content(lang);
                self.push(ts + d, a, Kind::Quote, idx, ORGANIC, c);
            }
        }
    }

    // ----- scheduled actions --------------------------------------------

    fn actions(&mut self) {
        let w = self.w;
        let lo = w.actions.partition_point(|a| a.ts < self.t0);
        let hi = w.actions.partition_point(|a| a.ts < self.t1);
        for i in lo..hi {
            let a = w.actions[i];
            match a.what {
                ActionKind::CelebPost { group } => self.celeb_post(a.ts, group),
                ActionKind::Op { op, j } => self.op_action(a.ts, op, j),
            }
        }
    }

    fn celeb_post(&mut self, ts: i64, g: u32) {
        let w = self.w;
        let group = &w.fans[g as usize];
        let celeb = group.celeb;
        let lang = self.compose_original(celeb, ts);
        let c = self.content(lang);
        let idx = self.push(ts, celeb, Kind::Post, NONE, ORGANIC, c);
        let content = self.pre[idx as usize].content.clone();
        for f in &group.fans {
            if !self.rng.chance(f64::from(f.p)) {
                continue;
            }
            let d = self.delay(f64::from(f.delay_s), 0.8, (2.0 / w.fan_speed).min(2.0), 6.0 * 3600.0);
            self.push(ts + d, f.acct, Kind::Repost, idx, ORGANIC, content.clone());
            if self.rng.chance(model::FAN_REPLY_P) {
                self.text.clear();
                self.urls.clear();
                self.text.push('@');
                self.text.push_str(w.username(celeb));
                self.text.push(' ');
                self.text.push_str(self.rng.word(FAN_REPLY));
                space(&mut self.text);
                self.text.push_str(self.rng.word(EMOJI));
                let d2 = d + self.delay(60.0, 0.8, 2.0, 3600.0);
                let c = self.content(w.lang_of(f.acct));
                self.push(ts + d2, f.acct, Kind::Reply, idx, ORGANIC, c);
            }
        }
        self.cascade(idx, Some(Group::Fan(g)));
    }

    /// Members `j*k .. j*k+k` (mod size) of the op's rotation.
    fn rotation(&mut self, op: u32, j: u32, k: usize) {
        let members = &self.w.ops[op as usize].members;
        self.picked.clear();
        if members.is_empty() {
            return;
        }
        let m = members.len();
        let start = (j as usize).wrapping_mul(k) % m;
        for i in 0..k.min(m) {
            self.picked.push(members[(start + i) % m]);
        }
    }

    /// Members drawn independently with the op's participation probability.
    fn bernoulli_members(&mut self, op: u32, skip: u32) {
        let o = &self.w.ops[op as usize];
        self.picked.clear();
        for &a in &o.members {
            if a != skip && self.rng.chance(o.part) {
                self.picked.push(a);
            }
        }
    }

    fn op_action(&mut self, ts: i64, o: u32, j: u32) {
        let w = self.w;
        let op = &w.ops[o as usize];
        if op.members.is_empty() {
            return;
        }
        let lang = op.lang;
        let v = lang.vocab();
        let group = Some(Group::Op(o));
        match op.kind {
            OpKind::ClonedNews => {
                if op.domains.is_empty() {
                    return;
                }
                let (host, oi) = &op.domains[self.rng.below(op.domains.len())];
                let outlet = &OUTLETS[usize::from(*oi)];
                let ov = outlet.lang.vocab();
                self.scratch.clear();
                let mut headline = String::new();
                text::headline(&mut headline, &mut self.rng, ov);
                fold_into(&mut self.scratch, &headline);
                while self.scratch.ends_with('-') {
                    self.scratch.pop();
                }
                let mut url = String::new();
                let section = self.rng.pick(ov.sections);
                let day_ms = ts.div_euclid(DAY_MS) * DAY_MS;
                let key = self.rng.u64();
                let spec =
                    UrlSpec { host, www: outlet.www, style: outlet.style, section, day_ms, key, slug: &self.scratch };
                article_url(&mut url, &spec);
                self.targets.push((o, PreTarget::Url(url.clone())));
                let k = self.rng.range(op.k_lo as u64, op.k_hi as u64) as usize;
                self.rotation(o, j, k);
                let sharers = self.picked.clone();
                let mut shares = Vec::with_capacity(sharers.len());
                for &a in &sharers {
                    self.text.clear();
                    self.urls.clear();
                    self.text.push_str(self.rng.word(ov.teaser));
                    self.text.push_str(if self.rng.chance(0.5) { ": " } else { " " });
                    self.text.push_str(&headline);
                    space(&mut self.text);
                    push_tco(&mut self.text, &url);
                    self.urls.push_str(&url);
                    let d = (self.rng.uniform(1.0, 300.0) * 1000.0) as i64;
                    let c = self.content(outlet.lang);
                    let idx = self.push(ts + d, a, Kind::Post, NONE, op_tag(o), c);
                    shares.push((idx, ts + d));
                    self.cascade(idx, group);
                }
                if !shares.is_empty() && self.rng.chance(model::CLONE_RESHARE_P) {
                    let (sidx, sts) = shares[self.rng.below(shares.len())];
                    let sauthor = self.pre[sidx as usize].author;
                    let content = self.pre[sidx as usize].content.clone();
                    for _ in 0..self.rng.range(1, 3) {
                        let a = op.members[self.rng.below(op.members.len())];
                        if a == sauthor || sharers.contains(&a) {
                            continue;
                        }
                        let d = self.delay(90.0, 0.5, 10.0, 600.0);
                        self.push(sts + d, a, Kind::Repost, sidx, op_tag(o), content.clone());
                    }
                }
            }
            OpKind::RepostRing => {
                let (source, tag) = if !op.targets.is_empty() && self.rng.chance(op.leader_p) {
                    let leader = op.targets[self.rng.below(op.targets.len())];
                    // A leader among the members (no audience) acts for the op.
                    let own = w.accounts[leader as usize].group == Group::Op(o);
                    (leader, if own { op_tag(o) } else { target_tag(o) })
                } else {
                    (op.members[self.rng.below(op.members.len())], op_tag(o))
                };
                self.text.clear();
                self.urls.clear();
                self.text.push_str(self.rng.word(v.partisan));
                if let Some(t) = op.tags.first()
                    && self.rng.chance(0.6)
                {
                    push_tag(&mut self.text, t);
                }
                if self.rng.chance(0.3) {
                    space(&mut self.text);
                    self.text.push_str(self.rng.word(EMOJI));
                }
                let c = self.content(lang);
                let idx = self.push(ts, source, Kind::Post, NONE, tag, c);
                self.targets.push((o, PreTarget::Post(idx)));
                let content = self.pre[idx as usize].content.clone();
                self.bernoulli_members(o, source);
                let ring = self.picked.clone();
                for &a in &ring {
                    let d = self.delay(40.0, 0.5, 5.0, 150.0);
                    self.push(ts + d, a, Kind::Repost, idx, op_tag(o), content.clone());
                }
                self.cascade(idx, group);
            }
            OpKind::Copypasta => {
                let Some(&tpl) = op.templates.get(j as usize % op.templates.len().max(1)) else {
                    return;
                };
                self.bernoulli_members(o, NONE);
                let posters = self.picked.clone();
                for &a in &posters {
                    self.text.clear();
                    self.urls.clear();
                    text::pasta_variant(&mut self.text, &mut self.rng, tpl, &op.tags);
                    let d = (self.rng.uniform(1.0, 420.0) * 1000.0) as i64;
                    let c = self.content(lang);
                    let idx = self.push(ts + d, a, Kind::Post, NONE, op_tag(o), c);
                    self.cascade(idx, group);
                }
            }
            OpKind::ReplySwarm => {
                if op.targets.is_empty() || op.templates.is_empty() {
                    return;
                }
                let journalist = op.targets[j as usize % op.targets.len()];
                // Waves: the same journalist posts again within minutes and
                // the next members of the rotation swarm each post.
                let waves = w.reply_waves.max(1);
                let mut post_ts = ts;
                for wave in 0..waves {
                    if wave > 0 {
                        post_ts += (self.rng.uniform(300.0, 1500.0) * 1000.0) as i64;
                    }
                    self.reply_wave(o, j.wrapping_mul(waves).wrapping_add(wave), journalist, post_ts);
                }
            }
            OpKind::SlowLink => {
                if op.sites.is_empty() {
                    return;
                }
                let site = &op.sites[j as usize % op.sites.len()];
                let mut headline = String::new();
                text::headline(&mut headline, &mut self.rng, v);
                self.scratch.clear();
                fold_into(&mut self.scratch, &headline);
                while self.scratch.ends_with('-') {
                    self.scratch.pop();
                }
                let day_ms = ts.div_euclid(DAY_MS) * DAY_MS;
                let mut url = String::new();
                let spec = UrlSpec {
                    host: site,
                    www: false,
                    style: 1,
                    section: "news",
                    day_ms,
                    key: self.rng.u64(),
                    slug: &self.scratch,
                };
                article_url(&mut url, &spec);
                self.targets.push((o, PreTarget::Url(url.clone())));
                let k = self.rng.range(op.k_lo as u64, op.k_hi as u64) as usize;
                self.rotation(o, j, k);
                let sharers = self.picked.clone();
                for &a in &sharers {
                    self.text.clear();
                    self.urls.clear();
                    let pool = if self.rng.chance(0.5) { v.link_comment } else { v.teaser };
                    self.text.push_str(self.rng.word(pool));
                    space(&mut self.text);
                    self.text.push_str(&headline);
                    space(&mut self.text);
                    push_tco(&mut self.text, &url);
                    self.urls.push_str(&url);
                    let (lo, hi) = w.slow_spread_s;
                    let d = (self.rng.uniform(lo, hi) * 1000.0) as i64;
                    let c = self.content(lang);
                    let idx = self.push(ts + d, a, Kind::Post, NONE, op_tag(o), c);
                    self.cascade(idx, group);
                }
            }
            OpKind::HashtagPush => {
                self.bernoulli_members(o, NONE);
                let posters = self.picked.clone();
                let mut tags = if op.tag_sets.is_empty() {
                    op.tags.clone()
                } else {
                    // Rotating campaigns: one set per day since the op started.
                    let day = (ts - op.start_ms).max(0) / DAY_MS;
                    op.tag_sets[day as usize % op.tag_sets.len()].clone()
                };
                for &a in &posters {
                    self.text.clear();
                    self.urls.clear();
                    if self.rng.chance(0.5) {
                        self.text.push_str(self.rng.word(v.partisan));
                    } else {
                        text::chatter(&mut self.text, &mut self.rng, v);
                    }
                    self.rng.shuffle(&mut tags);
                    for t in &tags {
                        push_tag(&mut self.text, t);
                    }
                    if self.rng.chance(0.3) {
                        space(&mut self.text);
                        self.text.push_str(self.rng.word(EMOJI));
                    }
                    let d = (self.rng.uniform(1.0, 300.0) * 1000.0) as i64;
                    let c = self.content(lang);
                    let idx = self.push(ts + d, a, Kind::Post, NONE, op_tag(o), c);
                    self.cascade(idx, group);
                }
            }
        }
    }

    /// One post of `journalist` at `ts` and the reply swarm of the op's
    /// members `j*k ..` (rotation) on it.
    fn reply_wave(&mut self, o: u32, j: u32, journalist: u32, ts: i64) {
        let w = self.w;
        let op = &w.ops[o as usize];
        let lang = op.lang;
        let group = Some(Group::Op(o));
        let jl = self.compose_original(journalist, ts);
        let c = self.content(jl);
        let idx = self.push(ts, journalist, Kind::Post, NONE, target_tag(o), c);
        self.targets.push((o, PreTarget::Post(idx)));
        let k = self.rng.range(op.k_lo as u64, op.k_hi as u64) as usize;
        self.rotation(o, j, k);
        let swarm = self.picked.clone();
        for &a in &swarm {
            self.text.clear();
            self.urls.clear();
            self.text.push('@');
            self.text.push_str(w.username(journalist));
            self.text.push(' ');
            let tpl = self.rng.word(&op.templates);
            text::expand(&mut self.text, &mut self.rng, tpl, false);
            if self.rng.chance(0.3) {
                space(&mut self.text);
                self.text.push_str(self.rng.word(EMOJI));
            }
            let d = self.delay(150.0, 0.7, 20.0, 1800.0);
            let c = self.content(lang);
            self.push(ts + d, a, Kind::Reply, idx, op_tag(o), c);
        }
        self.cascade(idx, group);
    }

    // ----- ids -----------------------------------------------------------

    /// Assigns snowflake ids `(ms - TWEPOCH) << 22 | worker << 12 | seq` with
    /// worker = slice index mod 1024 (slices that can overlap in time never
    /// share a worker) and seq counting events of this slice in the same ms;
    /// drops events after the end of the period; resolves parents.
    fn finish(self) -> SliceOut {
        let end = self.w.end_ms;
        let mut order: Vec<(i64, u32)> =
            self.pre.iter().enumerate().filter(|(_, p)| p.ts < end).map(|(i, p)| (p.ts, i as u32)).collect();
        order.sort_unstable();
        let worker = u64::from(self.k % 1024) << 12;
        let mut ids = vec![0u64; self.pre.len()];
        let mut final_ts = vec![0i64; self.pre.len()];
        let mut last_ms = i64::MIN;
        let mut seq = 0u64;
        for &(ts, i) in &order {
            if ts > last_ms {
                last_ms = ts;
                seq = 0;
            } else {
                seq += 1;
                if seq >= 4096 {
                    last_ms += 1;
                    seq = 0;
                }
            }
            ids[i as usize] = (((last_ms - TWEPOCH) as u64) << 22) | worker | seq;
            final_ts[i as usize] = last_ms;
        }
        let mut events = Vec::with_capacity(order.len());
        for (i, p) in self.pre.into_iter().enumerate() {
            if p.ts >= end {
                continue;
            }
            let ref_id = if p.parent == NONE { 0 } else { ids[p.parent as usize] };
            if p.parent != NONE && ref_id == 0 {
                continue;
            }
            events.push(Event {
                id: ids[i],
                ts: final_ts[i],
                ref_id,
                author: p.author,
                ref_author: if p.parent == NONE { 0 } else { p.ref_author },
                tag: p.tag,
                kind: p.kind,
                content: p.content,
            });
        }
        let targets = self
            .targets
            .into_iter()
            .filter_map(|(o, t)| match t {
                PreTarget::Url(u) => Some((o, Target::Url(u))),
                PreTarget::Post(i) => {
                    let id = ids[i as usize];
                    (id != 0).then_some((o, Target::Post(id)))
                }
            })
            .collect();
        SliceOut { events, targets }
    }
}

fn space_urls(urls: &mut String) {
    if !urls.is_empty() {
        urls.push(' ');
    }
}
