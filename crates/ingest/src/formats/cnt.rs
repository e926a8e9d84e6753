//! TODO(reader): not yet implemented.

use crate::csvin::CsvFormat;
use crate::diag::SkipReason;
use crate::sink::Sink;

pub(crate) struct Cnt;

impl Cnt {
    pub(crate) fn from_header(_header: &[String]) -> Result<Self, String> {
        Ok(Cnt)
    }
}

impl CsvFormat for Cnt {
    fn parse(&self, _row: &csv::ByteRecord, sink: &mut Sink) {
        sink.skip(SkipReason::BadValue, None, "reader not implemented yet");
    }
}
