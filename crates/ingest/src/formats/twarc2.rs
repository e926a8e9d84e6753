//! TODO(reader): not yet implemented.

use crate::diag::SkipReason;
use crate::json::JsonFormat;
use crate::sink::Sink;

pub(crate) struct Twarc2;

impl JsonFormat for Twarc2 {
    fn parse(&self, _record: &[u8], sink: &mut Sink) {
        sink.skip(SkipReason::BadValue, None, "reader not implemented yet");
    }
}
