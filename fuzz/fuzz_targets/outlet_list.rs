//! The outlet-list parser on any text: never panics; a list it accepts
//! survives a round trip through its TSV form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use swarmscan_domains::OutletList;

fuzz_target!(|s: &str| {
    let _ = OutletList::parse_lenient(s, "fuzz");
    if let Ok(list) = OutletList::parse(s, "fuzz") {
        let again = OutletList::parse(&list.to_tsv(), "fuzz-again").expect("its own TSV parses");
        assert_eq!(again.len(), list.len());
    }
});
