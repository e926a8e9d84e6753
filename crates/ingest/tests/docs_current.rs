//! `docs/formats.md` is generated from the `//!` docs of the format readers,
//! so the user documentation cannot drift from the code. A stale file fails
//! this test; `UPDATE_EXPECT=1 cargo test -p swarmscan-ingest --test docs_current`
//! rewrites it.

const ORDER: [(&str, &str); 10] = [
    ("twarc2", "twarc2"),
    ("twitter-v1", "twitter_v1"),
    ("cnt", "cnt"),
    ("ira", "ira"),
    ("telegram", "telegram"),
    ("bluesky", "bluesky"),
    ("mastodon", "mastodon"),
    ("crowdtangle", "crowdtangle"),
    ("coortweet", "coortweet"),
    ("csv", "mapped"),
];

fn render() -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut out = String::from(
        "<!-- Generated from crates/ingest/src/formats/*.rs by \
         `UPDATE_EXPECT=1 cargo test -p swarmscan-ingest --test docs_current`; do not edit. -->\n\
         # Input formats\n\n\
         swarmscan recognises each input's format from its content (JSON keys of the first record, CSV \
         header names); `--format NAME` overrides. Plain, gzip and zstd inputs and stdin (`-`) all work. \
         Every record is parsed or counted as skipped with a reason. A gzip or zstd stream that \
         breaks off (a truncated download, a corrupt frame) or a file cut mid-record keeps every \
         complete record before the damage and ends with one `truncated_input` skip giving the byte \
         offset; a record (a JSON line, a CSV row) longer than `--max-record-bytes` (16 MiB by \
         default) is skipped as `record_too_large` without being held in memory; pretty-printed \
         documents (Telegram's `result.json`) are read whole, up to 1 GiB or that limit if larger. \
         Below, each reader's own documentation: how fields map to the event model, and the \
         decisions taken.\n",
    );
    for (name, module) in ORDER {
        let src = std::fs::read_to_string(format!("{root}/src/formats/{module}.rs")).unwrap();
        out += &format!("\n## `--format {name}`\n\n");
        for line in src.lines().take_while(|l| l.starts_with("//!")) {
            let text = line.trim_start_matches("//!").strip_prefix(' ').unwrap_or(line.trim_start_matches("//!"));
            // Demote the module's own headings below this page's.
            let text = if text.starts_with('#') { format!("##{text}") } else { text.to_string() };
            out += &text;
            out.push('\n');
        }
    }
    out
}

#[test]
fn formats_doc_is_current() {
    let path = format!("{}/../../docs/formats.md", env!("CARGO_MANIFEST_DIR"));
    let want = render();
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/formats.md is stale: run UPDATE_EXPECT=1 cargo test -p swarmscan-ingest --test docs_current"
    );
}
