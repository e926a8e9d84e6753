//! TODO(reader): not yet implemented.

use crate::csvin::CsvFormat;
use crate::diag::SkipReason;
use crate::mapping::ColumnMap;
use crate::sink::Sink;

pub(crate) struct Mapped;

impl Mapped {
    pub(crate) fn from_header(_header: &[String], _map: &ColumnMap) -> Result<Self, String> {
        Ok(Mapped)
    }
}

impl CsvFormat for Mapped {
    fn parse(&self, _row: &csv::ByteRecord, sink: &mut Sink) {
        sink.skip(SkipReason::BadValue, None, "reader not implemented yet");
    }
}
