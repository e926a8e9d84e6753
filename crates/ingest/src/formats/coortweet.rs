//! TODO(reader): not yet implemented.

use crate::csvin::CsvFormat;
use crate::diag::SkipReason;
use crate::sink::Sink;

pub(crate) struct CooRTweet;

impl CooRTweet {
    pub(crate) fn from_header(_header: &[String]) -> Result<Self, String> {
        Ok(CooRTweet)
    }
}

impl CsvFormat for CooRTweet {
    fn parse(&self, _row: &csv::ByteRecord, sink: &mut Sink) {
        sink.skip(SkipReason::BadValue, None, "reader not implemented yet");
    }
}
