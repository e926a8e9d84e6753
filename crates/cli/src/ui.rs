//! The terminal: progress bars and spinners on long runs, colour, quiet.
//!
//! Bars and colour are drawn only when stderr is a terminal (so logs and
//! pipes get plain lines), colour is off when `NO_COLOR` is set to anything
//! non-empty or `TERM=dumb` (<https://no-color.org>), and `--quiet` leaves
//! only errors. Results go to files and `--summary-json`; stderr is for
//! people.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug)]
pub struct Ui {
    pub quiet: bool,
    bars: bool,
    color: bool,
}

impl Ui {
    /// Decides from `--quiet`, stderr and the environment.
    pub fn new(quiet: bool) -> Ui {
        let tty = std::io::stderr().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        Ui { quiet, bars: tty && !quiet && !dumb, color: tty && !no_color && !dumb }
    }

    /// Text in bold (when colour is on).
    pub fn bold(&self, s: &str) -> String {
        self.paint(s, "1")
    }

    /// Text in green (when colour is on).
    pub fn good(&self, s: &str) -> String {
        self.paint(s, "32")
    }

    /// Text in yellow (when colour is on).
    pub fn warn(&self, s: &str) -> String {
        self.paint(s, "33")
    }

    fn paint(&self, s: &str, sgr: &str) -> String {
        if self.color { format!("\x1b[{sgr}m{s}\x1b[0m") } else { s.to_string() }
    }

    /// One finished stage: `✓ label  time  detail` (nothing when quiet).
    #[allow(clippy::print_stderr)]
    pub fn line(&self, label: &str, secs: f64, detail: &str) {
        if !self.quiet {
            let time = format!("{secs:>6.1} s");
            eprintln!("{} {label:<18} {}  {detail}", self.good("✓"), self.bold(&time));
        }
    }

    /// A line of information (nothing when quiet).
    #[allow(clippy::print_stderr)]
    pub fn note(&self, s: &str) {
        if !self.quiet {
            eprintln!("{s}");
        }
    }

    fn target(&self) -> ProgressDrawTarget {
        if self.bars { ProgressDrawTarget::stderr_with_hz(10) } else { ProgressDrawTarget::hidden() }
    }

    /// Starts a stage: a spinner while it runs; [`Stage::done`] prints one
    /// line with its time.
    pub fn stage(&self, label: &str) -> Stage {
        let pb = ProgressBar::with_draw_target(None, self.target());
        let template = if self.color { "{spinner:.cyan} {msg} {elapsed:.dim}" } else { "{spinner} {msg} {elapsed}" };
        pb.set_style(ProgressStyle::with_template(template).expect("valid template"));
        pb.set_message(label.to_string());
        pb.enable_steady_tick(Duration::from_millis(120));
        Stage { ui: *self, pb, label: label.to_string(), start: Instant::now() }
    }

    /// A bar over `total` bytes (or a byte counter when the total is
    /// unknown, as for standard input), fed from `counter` while `work` runs.
    pub fn bytes<T>(&self, label: &str, total: Option<u64>, counter: &Arc<AtomicU64>, work: impl FnOnce() -> T) -> T {
        let pb = ProgressBar::with_draw_target(total, self.target());
        let (bar, plain) = match total {
            Some(_) => (
                "{msg} [{bar:30.cyan/blue}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            ),
            None => ("{spinner:.cyan} {msg} {bytes} {bytes_per_sec}", "{spinner} {msg} {bytes} {bytes_per_sec}"),
        };
        let style = ProgressStyle::with_template(if self.color { bar } else { plain }).expect("valid template");
        pb.set_style(style.progress_chars("=> "));
        pb.set_message(label.to_string());
        if !self.bars {
            return work();
        }
        let done = std::sync::atomic::AtomicBool::new(false);
        let out = std::thread::scope(|s| {
            s.spawn(|| {
                while !done.load(Ordering::Relaxed) {
                    pb.set_position(counter.load(Ordering::Relaxed));
                    std::thread::sleep(Duration::from_millis(100));
                }
            });
            let out = work();
            done.store(true, Ordering::Relaxed);
            out
        });
        pb.finish_and_clear();
        out
    }

    /// A bar over `total` steps (e.g. generated time slices).
    pub fn steps(&self, label: &str, total: u64) -> ProgressBar {
        let pb = ProgressBar::with_draw_target(Some(total), self.target());
        let template = if self.color {
            "{msg} [{bar:30.cyan/blue}] {pos}/{len} eta {eta}"
        } else {
            "{msg} [{bar:30}] {pos}/{len} eta {eta}"
        };
        pb.set_style(ProgressStyle::with_template(template).expect("valid template").progress_chars("=> "));
        pb.set_message(label.to_string());
        pb
    }
}

/// A running stage (see [`Ui::stage`]).
pub struct Stage {
    ui: Ui,
    pb: ProgressBar,
    label: String,
    start: Instant,
}

impl Stage {
    /// Replaces the spinner's text (what the stage is doing now).
    pub fn set(&self, what: &str) {
        self.pb.set_message(format!("{}: {what}", self.label));
    }

    /// Ends the stage, printing its line (see [`Ui::line`]); returns the
    /// seconds it took.
    pub fn done(self, detail: &str) -> f64 {
        let secs = self.start.elapsed().as_secs_f64();
        self.pb.finish_and_clear();
        self.ui.line(&self.label, secs, detail);
        secs
    }
}
