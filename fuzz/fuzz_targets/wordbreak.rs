//! The toolkit's word breaking on any text: never panics, and every piece is
//! a non-empty part of the text, in order.
#![no_main]

use libfuzzer_sys::fuzz_target;
use swarmscan_detect::wordbreak::{Scratch, for_each_piece};

fuzz_target!(|s: &str| {
    let mut scratch = Scratch::default();
    let base = s.as_ptr() as usize;
    let mut at = 0usize;
    for_each_piece(s, &mut scratch, |piece| {
        assert!(!piece.is_empty());
        let start = piece.as_ptr() as usize - base;
        assert!(start >= at && start + piece.len() <= s.len(), "piece out of order: {piece:?} in {s:?}");
        at = start + piece.len();
    });
});
