//! Micro-benchmarks of the network kernels on synthetic batches:
//! `cargo bench -p swarmscan-detect --bench networks`.
//!
//! The data is generated here (seeded), shaped like one week of activity:
//! Zipf-like keys (a few hot, most rare), accounts of very unequal activity.
//! The end-to-end comparison with the toolkit is `scripts/bench_networks.sh`.

use divan::{Bencher, black_box};
use swarmscan_detect::aggregate;
use swarmscan_detect::keyed::{self, KeyedActions, PairAggregate};
use swarmscan_detect::similar::{self, JoinInput, TokenSets};
use swarmscan_detect::text::{TokenScratch, for_each_cnt_token, for_each_word_token};
use swarmscan_detect::url_canon::canonical_url;

fn main() {
    divan::main();
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Roughly Zipf: small values much more likely.
    fn skewed(&mut self, n: u64) -> u64 {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        ((n as f64).powf(u) as u64).saturating_sub(1).min(n - 1)
    }
}

const WEEK_MS: i64 = 7 * 24 * 3600 * 1000;

/// `n` actions over one week on `n / 20` keys by `n / 30` accounts, sorted.
fn keyed(n: usize) -> (KeyedActions, usize) {
    let (mut ka, accounts) = unsorted(n);
    ka.sort();
    (ka, accounts)
}

fn unsorted(n: usize) -> (KeyedActions, usize) {
    let mut r = Rng(0x2545_f491_4f6c_dd1d);
    let accounts = (n / 30).max(2);
    let mut ka = KeyedActions::default();
    for row in 0..n {
        let key = r.skewed((n / 20) as u64) as u32;
        let acc = r.skewed(accounts as u64) as u32;
        ka.push(key, (r.next() % WEEK_MS as u64) as i64, acc, row as u32);
    }
    (ka, accounts)
}

const SIZES: [usize; 2] = [100_000, 1_000_000];

#[divan::bench(args = SIZES)]
fn sort(bencher: Bencher<'_, '_>, n: usize) {
    let (ka, _) = unsorted(n);
    bencher.with_inputs(|| ka.clone()).bench_local_values(|mut k| {
        k.sort();
        k
    });
}

#[divan::bench(args = SIZES)]
fn windows(bencher: Bencher<'_, '_>, n: usize) {
    let (ka, _) = keyed(n);
    bencher.bench(|| keyed::windows(black_box(&ka), 60_000, None));
}

#[divan::bench(args = SIZES)]
fn aggregate_directed(bencher: Bencher<'_, '_>, n: usize) {
    let (ka, accounts) = keyed(n);
    let (w, _) = keyed::windows(&ka, 60_000, None);
    bencher.bench(|| aggregate::directed(black_box(&ka), &w, accounts, 2, false, false));
}

#[divan::bench(args = SIZES)]
fn aggregate_undirected(bencher: Bencher<'_, '_>, n: usize) {
    let (ka, accounts) = keyed(n);
    let (w, _) = keyed::windows(&ka, 60_000, None);
    bencher.bench(|| aggregate::undirected(black_box(&ka), &w, accounts, true, 2, 5));
}

/// The pair-batch path (the distributed exchange format), for comparison
/// with the fused aggregation above.
#[divan::bench(args = [100_000])]
fn pair_batches_then_hash_aggregate(bencher: Bencher<'_, '_>, n: usize) {
    let (ka, _) = keyed(n);
    bencher.bench(|| {
        let mut agg = PairAggregate::new(true);
        keyed::sweep_pairs(&ka, 0..ka.len(), 60_000, None, 65_536, &mut |b| agg.add(b));
        agg.finish(2, 5)
    });
}

/// Records over one week, texts drawn from templates with a word or two
/// swapped (so near-duplicates exist), as token sets.
fn records(n: usize) -> (Vec<i64>, Vec<u32>, TokenSets) {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let docs = n / 2;
    let lists: Vec<Vec<u32>> = (0..docs)
        .map(|_| {
            let template = r.skewed(5_000) as u32;
            let len = 6 + r.next() % 14;
            (0..len)
                .map(|i| {
                    if r.next().is_multiple_of(5) { 10_000 + r.skewed(50_000) as u32 } else { template * 16 + i as u32 }
                })
                .collect()
        })
        .collect();
    let mut sets = TokenSets::from_lists(&lists);
    let mut ts: Vec<i64> = (0..n).map(|_| (r.next() % WEEK_MS as u64) as i64).collect();
    ts.sort_unstable();
    let doc: Vec<u32> = (0..n).map(|_| r.skewed(docs as u64) as u32).collect();
    sets.rank_by_frequency(&doc);
    (ts, doc, sets)
}

#[divan::bench(args = SIZES)]
fn similarity_join(bencher: Bencher<'_, '_>, n: usize) {
    let (ts, doc, sets) = records(n);
    bencher.bench(|| {
        let inp = JoinInput { ts_ms: &ts, doc: &doc, sets: &sets, window_ms: 60_000, threshold: 0.8, min_doc: 1 };
        similar::join(black_box(&inp))
    });
}

const TEXTS: [&str; 6] = [
    "Breaking: Police raises health reform despite protests https://t.co/32FXisWCIL #news",
    "@zeitonline Haha, das ist doch nicht dein Ernst?! 😂😂",
    "Je suis en train de regarder le match. Trop bien. #foot",
    "RT @user: It's 3.14 o'clock, e.g. time for pie — don't miss it!!",
    "東京タワーへ行きました。カタカナもOK",
    "Supreme Court ends vaccine rollout for second time https://www.nbcnews.com/us/x",
];

#[divan::bench(args = [true, false])]
fn tokenize(bencher: Bencher<'_, '_>, toolkit: bool) {
    let mut scratch = TokenScratch::default();
    bencher.counter(divan::counter::ItemsCount::new(TEXTS.len())).bench_local(|| {
        let mut n = 0usize;
        for t in TEXTS {
            if toolkit {
                for_each_cnt_token(black_box(t), &mut scratch, |_| n += 1);
            } else {
                for_each_word_token(black_box(t), &mut scratch, |_| n += 1);
            }
        }
        n
    });
}

#[divan::bench]
fn canonicalise_url(bencher: Bencher<'_, '_>) {
    let urls = [
        "https://www.nytimes.com/2024/07/29/climate/police-raises.html?utm_source=twitter&smid=tw-share",
        "HTTP://Example.COM:80/a/b/?b=2&a=1#frag",
        "https://t.co/5U662ANDZQ",
    ];
    bencher.counter(divan::counter::ItemsCount::new(urls.len())).bench(|| urls.map(|u| canonical_url(black_box(u))));
}
