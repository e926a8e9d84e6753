//! Reads JSON strings, one per line, from standard input and writes, per
//! line, `[normalised, [tokens…]]`: the toolkit's co_tweet key and
//! co_similar_tweet token set as swarmscan computes them. Used by
//! `scripts/cnt_differential.sh` to compare the text handling with the
//! toolkit's own `message_preprocessor` and `tokenize` on a corpus.

use std::io::{BufRead, BufWriter, Write};
use swarmscan_detect::text::{cnt_normalise, cnt_tokens};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    let (mut scratch, mut norm) = (String::new(), String::new());
    for line in stdin.lines() {
        let text: String = serde_json::from_str(&line?)?;
        cnt_normalise(&text, &mut scratch, &mut norm);
        let v = serde_json::json!([norm, cnt_tokens(&text)]);
        writeln!(out, "{v}")?;
    }
    out.flush()?;
    Ok(())
}
