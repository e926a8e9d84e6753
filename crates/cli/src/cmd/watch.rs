//! `swarmscan watch`: live detection on Bluesky's Jetstream and Mastodon
//! streams. The library (`swarmscan-watch`) owns the pipeline; this module
//! turns flags into its options, prints alerts as JSON lines on stdout and
//! progress on stderr.

use crate::cmd::scan::{ScanOptions, parse_bytes};
use crate::flags::parse_seconds;
use crate::summary::num;
use crate::ui::Ui;
use clap::Args;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;
use swarmscan_watch::{JetstreamOptions, MastodonOptions, SourceEvent, WatchOptions};

#[derive(Args, Debug)]
#[command(after_long_help = WATCH_EXAMPLES)]
pub struct WatchArgs {
    /// A Jetstream endpoint, e.g. wss://jetstream2.us-east.bsky.network/subscribe.
    #[arg(long, value_name = "URL", required_unless_present = "mastodon")]
    pub jetstream: Option<String>,
    /// Jetstream collections to ask for (`wantedCollections`; `prefix.*`
    /// allowed). Likes are left out by default: no signal uses them.
    #[arg(long, value_delimiter = ',', default_value = "app.bsky.feed.post,app.bsky.feed.repost")]
    pub collections: Vec<String>,
    /// Only these accounts' events (`wantedDids`), comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "DID,...")]
    pub dids: Vec<String>,
    /// Ask Jetstream for zstd-compressed frames (211 bytes an event on
    /// average instead of 482), decoded with Jetstream's dictionary, which is
    /// built in.
    #[arg(long)]
    pub compress: bool,
    /// Decode compressed frames with this zstd dictionary instead of the
    /// built-in one (an instance that compresses with another).
    #[arg(long, value_name = "FILE", requires = "compress")]
    pub zstd_dictionary: Option<PathBuf>,
    /// A Mastodon server to follow the public stream of, e.g. https://mastodon.social.
    #[arg(long, value_name = "URL")]
    pub mastodon: Option<String>,
    /// An access token for servers whose public stream needs one.
    #[arg(long, value_name = "TOKEN", env = "SWARMSCAN_MASTODON_TOKEN", hide_env_values = true)]
    pub mastodon_token: Option<String>,
    /// On the first run, also fetch the statuses newer than this id through
    /// the REST timeline (default: start at the live stream; later runs
    /// resume where the last one stopped).
    #[arg(long, value_name = "ID")]
    pub mastodon_since: Option<String>,
    /// Directory for the live results (results/), the archive of raw events
    /// (archive/), alerts.jsonl and the resume state (state.json); a second
    /// run on the same directory resumes.
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,
    /// Stop after this long (e.g. 90s, 20m, 10h) and scan once more; default:
    /// until Ctrl-C, which does the same.
    #[arg(long, value_parser = parse_seconds)]
    pub duration: Option<f64>,
    /// How far back each scan looks, in stream time.
    #[arg(long, value_parser = parse_seconds, default_value = "24h")]
    pub horizon: f64,
    /// Stream time between scans.
    #[arg(long, value_parser = parse_seconds, default_value = "5m")]
    pub every: f64,
    /// How late an event may arrive (server time) and still be in the scan
    /// of its time.
    #[arg(long, value_parser = parse_seconds, default_value = "10s")]
    pub lateness: f64,
    /// Also append alerts (JSON lines) to this file; stdout has them anyway.
    #[arg(long, value_name = "FILE")]
    pub alerts: Option<PathBuf>,
    /// POST each alert as JSON to this URL.
    #[arg(long, value_name = "URL")]
    pub webhook: Option<String>,
    /// Scan at every scan time even when scans fall behind the stream,
    /// holding the stream back (for replays). By default a scan time that
    /// comes while the last snapshot still waits is skipped, so a live
    /// stream never falls behind.
    #[arg(long)]
    pub every_scan: bool,
    /// Do not archive the events (a restart then starts with an empty horizon).
    #[arg(long)]
    pub no_archive: bool,
    /// Start a new archive file beyond this size.
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes, default_value = "256M")]
    pub archive_rotate: crate::cmd::scan::MemoryLimit,
    #[command(flatten)]
    pub scan: ScanOptions,
}

const WATCH_EXAMPLES: &str = "\
Examples:
  swarmscan watch --jetstream wss://jetstream2.us-east.bsky.network/subscribe --out live
  swarmscan watch --mastodon https://mastodon.social --out live --every 10m
  swarmscan watch --jetstream URL --out live --duration 1h --webhook https://example.org/hook

Alerts are JSON lines on stdout (kind appeared|grew, the cluster, its members
and evidence); live/results/ holds the latest scan's outputs (the scan
command's contract; report.html reloads itself); live/archive/ the raw events,
which `swarmscan scan live/archive/*.zst` reads. Run it again on the same
directory to resume where it stopped.";

pub fn run(args: WatchArgs, ui: Ui) -> anyhow::Result<u8> {
    let params = args.scan.params()?;
    ui.note(&args.scan.memory_note(&params));
    let (outlets, _) = super::domains::outlets(args.scan.outlets.as_deref(), false, ui)?;
    let dictionary = match &args.zstd_dictionary {
        Some(p) => {
            Arc::new(std::fs::read(p).map_err(|e| anyhow::anyhow!("cannot read the dictionary {}: {e}", p.display()))?)
        }
        None => Arc::new(swarmscan_watch::JETSTREAM_DICTIONARY.to_vec()),
    };
    let ms = |secs: f64| (secs * 1000.0).round() as i64;
    let mut o = WatchOptions::new(args.out.clone());
    o.jetstream = args.jetstream.map(|url| JetstreamOptions {
        url,
        collections: args.collections.clone(),
        dids: args.dids.clone(),
        dictionary: args.compress.then_some(dictionary),
    });
    o.mastodon =
        args.mastodon.map(|url| MastodonOptions { url, token: args.mastodon_token, since_id: args.mastodon_since });
    o.duration = args.duration.map(Duration::from_secs_f64);
    o.horizon_ms = ms(args.horizon);
    o.every_ms = ms(args.every);
    o.lateness_ms = ms(args.lateness);
    o.params = params;
    o.outlets = outlets;
    o.archive = !args.no_archive;
    o.archive_rotate_bytes = args.archive_rotate.0.unwrap_or(u64::MAX);
    o.alerts_file = args.alerts;
    o.webhook = args.webhook;
    o.version = env!("CARGO_PKG_VERSION").into();
    o.ctrl_c = true;
    o.keep_up = !args.every_scan;

    let out = args.out.display().to_string();
    ui.note(&format!(
        "watching; results in {out}/results (report.html), alerts on stdout; Ctrl-C stops after a last scan"
    ));
    let stop = Arc::new(AtomicBool::new(false));
    let report = swarmscan_watch::run(
        o,
        stop,
        Arc::new(move |e| match e {
            SourceEvent::Alert(a) => {
                if let Ok(line) = serde_json::to_string(&a) {
                    println!("{line}");
                }
            }
            SourceEvent::Connected { source, url } => ui.note(&format!("{}: connected to {url}", source.as_str())),
            SourceEvent::Disconnected { source, why, retry_in } => ui.note(&format!(
                "{}: disconnected ({why}); reconnecting in {:.1} s",
                source.as_str(),
                retry_in.as_secs_f64()
            )),
            SourceEvent::Resumed { events, files } => {
                ui.note(&format!("resumed: {} events read back from {files} archive files", num(events)))
            }
            // The summary at the end counts them; a line per chunk would flood.
            SourceEvent::Kept { .. } => {}
            SourceEvent::Scanned(s) => ui.note(&format!(
                "scan up to {}: {} events, {} accounts → {} clusters of {} accounts, {} alerts ({:.1} s)",
                s.watermark,
                num(s.events),
                num(s.accounts),
                s.clusters,
                s.flagged_accounts,
                s.alerts,
                s.seconds
            )),
        }),
    )?;
    for (name, s) in &report.sources {
        let malformed: u64 = s.malformed_frames.values().sum();
        ui.note(&format!(
            "{name}: {} frames: {} kept, {} duplicates, {} older than the horizon, {malformed} malformed; \
             {} events parsed, {} skipped; {} reconnections",
            num(s.frames),
            num(s.kept),
            num(s.duplicates),
            num(s.older_than_horizon),
            num(s.read.parsed),
            num(s.read.skipped_total()),
            s.reconnects
        ));
    }
    if report.sources.values().all(|s| s.frames == 0) && report.resumed_events == 0 {
        ui.note("nothing received: no scan run");
    } else {
        ui.note(&format!("{} scans, {} alerts; results in {out}/results", report.scans, report.alerts));
    }
    Ok(crate::exit::OK)
}
