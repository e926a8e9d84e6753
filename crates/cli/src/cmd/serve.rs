//! `swarmscan serve`: the HTTP server (`swarmscan_serve`). This module only
//! turns flags into a `swarmscan_serve::Config` and prints what the library
//! returns: the URL, a warning when listening beyond this machine, and on
//! the first start the admin's password (shown once, stored only hashed).

use crate::ui::Ui;
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on. The default is this machine only; listening on
    /// another address exposes the server to the network (put HTTPS in
    /// front of it and use --secure-cookies).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Data folder: the store (swarmscan.db), uploaded datasets and results.
    /// Created if missing.
    #[arg(long, value_name = "DIR", default_value = "swarmscan-data")]
    pub data: PathBuf,
    /// Jobs run at once; further jobs wait in the queue (0: run none).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub max_jobs: usize,
    /// Largest upload, e.g. `2G` or `512M` (binary units), or `none`.
    #[arg(long, value_name = "BYTES", default_value = "2G", value_parser = crate::cmd::scan::parse_bytes)]
    pub max_upload: crate::cmd::scan::MemoryLimit,
    /// Requests a second allowed per client address (bursts up to twice
    /// that); 0 turns the limit off.
    #[arg(long, value_name = "N", default_value_t = 50.0)]
    pub rate_limit: f64,
    /// Mark the session cookie Secure (when served over HTTPS).
    #[arg(long)]
    pub secure_cookies: bool,
    /// A folder whose files an admin may register as datasets without
    /// uploading them (POST /api/datasets/register); repeat for several.
    /// Files are copied into the data folder, so the dataset stays as it was.
    #[arg(long, value_name = "DIR")]
    pub import_dir: Vec<PathBuf>,
    /// Memory limit of each scan job, e.g. `8G` (past it, a scan spills to
    /// disk). Default: the scan's default share of this machine's memory,
    /// divided by --max-jobs.
    #[arg(long, value_name = "BYTES", value_parser = crate::cmd::scan::parse_bytes)]
    pub job_memory: Option<crate::cmd::scan::MemoryLimit>,
    /// A live source that `watch` jobs may connect to: a Jetstream endpoint
    /// (wss://…/subscribe) or a Mastodon server (https://…); a job's URL is
    /// this one or under it. Repeat for several; without any, watch jobs
    /// are refused (the server connects nowhere a user names). A Mastodon
    /// token, when the server needs one, is read from
    /// SWARMSCAN_MASTODON_TOKEN.
    #[arg(long, value_name = "URL")]
    pub watch_source: Vec<String>,
}

impl ServeArgs {
    /// The library's configuration (no I/O).
    pub fn config(&self) -> anyhow::Result<swarmscan_serve::Config> {
        if !(self.rate_limit.is_finite() && self.rate_limit >= 0.0) {
            anyhow::bail!("--rate-limit must be a number of requests a second, 0 for none");
        }
        let rate_limit = (self.rate_limit > 0.0)
            .then_some(swarmscan_serve::RateLimit { per_second: self.rate_limit, burst: 2.0 * self.rate_limit });
        Ok(swarmscan_serve::Config {
            listen: self.listen,
            max_jobs: self.max_jobs,
            max_upload: self.max_upload.0.unwrap_or(u64::MAX),
            rate_limit,
            secure_cookies: self.secure_cookies,
            import_dirs: self.import_dir.clone(),
            job_memory: self.job_memory.as_ref().and_then(|m| m.0),
            watch_sources: self.watch_source.clone(),
            // From the environment only: a job never carries it, and a
            // flag would show it in the process list.
            mastodon_token: std::env::var("SWARMSCAN_MASTODON_TOKEN")
                .ok()
                .filter(|t| !t.trim().is_empty())
                .map(swarmscan_serve::Secret),
            ..swarmscan_serve::Config::new(self.data.clone())
        })
    }
}

pub fn run(args: ServeArgs, ui: Ui) -> anyhow::Result<u8> {
    let config = args.config()?;
    let job_memory = config.job_memory_limit();
    let handle = swarmscan_serve::spawn(config, true)?;
    let s = handle.started();
    // The URL and the first password go to stdout even with --quiet: they
    // are the command's output.
    #[allow(clippy::print_stdout)]
    {
        println!("swarmscan serve: listening on {} (data in {})", s.url, args.data.display());
        if let Some(b) = &s.bootstrap {
            println!("first start: created user {:?} with password {}", b.name, b.password);
            println!("  (shown only now; it is stored hashed)");
        }
    }
    if let Some(w) = &s.warning {
        ui.note(&ui.warn(&format!("warning: {w}")));
    }
    if let Some(m) = job_memory {
        ui.note(&format!(
            "each scan job may hold {} in memory before it spills (--job-memory)",
            crate::cmd::scan::gib(m)
        ));
    }
    if !args.watch_source.is_empty() {
        ui.note(&format!("watch jobs may follow {} (--watch-source)", args.watch_source.join(", ")));
    }
    if s.failed_on_start > 0 {
        ui.note(&format!("{} job(s) were running when the server last stopped: marked failed", s.failed_on_start));
    }
    ui.note("Ctrl-C stops the server (running jobs stop at their next step and are marked failed).");
    handle.wait();
    Ok(crate::exit::OK)
}
