//! How the two operators travel between client, scheduler and executors.
//!
//! datafusion-proto serialises every built-in node itself and hands a node
//! it does not know to a [`PhysicalExtensionCodec`] as bytes plus already
//! decoded children. [`SwarmCodec`] writes [`CoActionSweepExec`]'s and
//! [`PairMergeExec`]'s few parameters and passes every other node — Ballista's
//! shuffle writers and readers — to Ballista's own codec. Our bytes start with
//! `0x00`, which no protobuf message can start with (field number 0 is
//! invalid), so decoding tells the two apart without a wrapper message.
//!
//! Not `ComposedPhysicalExtensionCodec`: it writes a definition for every
//! function and aggregate, which Ballista's codec cannot decode.

use ballista_core::serde::BallistaPhysicalExtensionCodec;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::TaskContext;
use datafusion::logical_expr::{AggregateUDF, ScalarUDF, WindowUDF};
use datafusion::physical_plan::ExecutionPlan;
use datafusion_proto::physical_plan::{PhysicalExtensionCodec, PhysicalProtoConverterExtension};
use std::sync::Arc;
use swarmscan_df::{CoActionSweepExec, PairMergeExec, SweepOptions};

/// The prefix of our nodes' bytes; the version byte changes with the layout.
const MAGIC: &[u8] = b"\0swarmscan\x01";
const TAG_SWEEP: u8 = 1;
const TAG_MERGE: u8 = 2;

/// The codec the client, the scheduler and every executor must share.
#[derive(Debug, Default)]
pub struct SwarmCodec {
    inner: BallistaPhysicalExtensionCodec,
}

impl SwarmCodec {
    /// The codec as the configurations want it.
    pub fn shared() -> Arc<dyn PhysicalExtensionCodec> {
        Arc::new(SwarmCodec::default())
    }
}

fn bad(msg: impl std::fmt::Display) -> DataFusionError {
    DataFusionError::Internal(format!("swarmscan codec: {msg}"))
}

/// Writes `opts` after the prefix and `tag`.
fn encode(tag: u8, o: &SweepOptions, buf: &mut Vec<u8>) {
    buf.extend_from_slice(MAGIC);
    buf.push(tag);
    buf.extend_from_slice(&o.window_ms.to_le_bytes());
    encode_option(o.max_key_actors, buf);
    buf.push(u8::from(o.keyed));
    buf.extend_from_slice(&o.min_weight.to_le_bytes());
    buf.extend_from_slice(&(o.evidence as u64).to_le_bytes());
    encode_option(o.salt_above, buf);
}

/// A flag byte, then the value as a little-endian u64 if there is one.
fn encode_option(v: Option<usize>, buf: &mut Vec<u8>) {
    match v {
        Some(v) => {
            buf.push(1);
            buf.extend_from_slice(&(v as u64).to_le_bytes());
        }
        None => buf.push(0),
    }
}

/// Reads what [`encode_option`] wrote; `what` names it in errors.
fn decode_option(b: &mut &[u8], what: &str) -> Result<Option<usize>> {
    match take::<1>(b)? {
        [0] => Ok(None),
        [1] => Ok(Some(usize_of(u64::from_le_bytes(take::<8>(b)?))?)),
        [x] => Err(bad(format!("bad {what} flag {x}"))),
    }
}

fn take<const N: usize>(b: &mut &[u8]) -> Result<[u8; N]> {
    let Some((head, rest)) = b.split_first_chunk::<N>() else {
        return Err(bad("a node's parameters are truncated"));
    };
    *b = rest;
    Ok(*head)
}

fn usize_of(v: u64) -> Result<usize> {
    usize::try_from(v).map_err(|_| bad(format!("{v} does not fit this machine's usize")))
}

/// Reads what [`encode`] wrote after the prefix and tag.
fn decode(mut b: &[u8]) -> Result<SweepOptions> {
    let window_ms = i64::from_le_bytes(take::<8>(&mut b)?);
    let max_key_actors = decode_option(&mut b, "max_key_actors")?;
    let keyed = match take::<1>(&mut b)? {
        [0] => false,
        [1] => true,
        [x] => return Err(bad(format!("bad keyed flag {x}"))),
    };
    let min_weight = u32::from_le_bytes(take::<4>(&mut b)?);
    let evidence = usize_of(u64::from_le_bytes(take::<8>(&mut b)?))?;
    let salt_above = decode_option(&mut b, "salt_above")?;
    if !b.is_empty() {
        return Err(bad(format!("{} bytes after a node's parameters", b.len())));
    }
    Ok(SweepOptions { window_ms, max_key_actors, keyed, min_weight, evidence, salt_above })
}

impl PhysicalExtensionCodec for SwarmCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[Arc<dyn ExecutionPlan>],
        ctx: &TaskContext,
        converter: &dyn PhysicalProtoConverterExtension,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let Some(rest) = buf.strip_prefix(MAGIC) else {
            return self.inner.try_decode(buf, inputs, ctx, converter);
        };
        let [input] = inputs else {
            return Err(bad(format!("an operator takes one input, got {}", inputs.len())));
        };
        let Some((&tag, body)) = rest.split_first() else {
            return Err(bad("a node has no tag"));
        };
        let opts = decode(body)?;
        match tag {
            TAG_SWEEP => Ok(Arc::new(CoActionSweepExec::new(Arc::clone(input), opts))),
            TAG_MERGE => Ok(Arc::new(PairMergeExec::new(Arc::clone(input), opts))),
            t => Err(bad(format!("unknown node tag {t}"))),
        }
    }

    fn try_encode(
        &self,
        node: Arc<dyn ExecutionPlan>,
        buf: &mut Vec<u8>,
        converter: &dyn PhysicalProtoConverterExtension,
    ) -> Result<()> {
        if let Some(e) = node.downcast_ref::<CoActionSweepExec>() {
            encode(TAG_SWEEP, e.options(), buf);
            return Ok(());
        }
        if let Some(e) = node.downcast_ref::<PairMergeExec>() {
            encode(TAG_MERGE, e.options(), buf);
            return Ok(());
        }
        self.inner.try_encode(node, buf, converter)
    }

    fn try_decode_udf(&self, name: &str, buf: &[u8]) -> Result<Arc<ScalarUDF>> {
        self.inner.try_decode_udf(name, buf)
    }

    fn try_encode_udf(&self, node: &ScalarUDF, buf: &mut Vec<u8>) -> Result<()> {
        self.inner.try_encode_udf(node, buf)
    }

    fn try_decode_udaf(&self, name: &str, buf: &[u8]) -> Result<Arc<AggregateUDF>> {
        self.inner.try_decode_udaf(name, buf)
    }

    fn try_encode_udaf(&self, node: &AggregateUDF, buf: &mut Vec<u8>) -> Result<()> {
        self.inner.try_encode_udaf(node, buf)
    }

    fn try_decode_udwf(&self, name: &str, buf: &[u8]) -> Result<Arc<WindowUDF>> {
        self.inner.try_decode_udwf(name, buf)
    }

    fn try_encode_udwf(&self, node: &WindowUDF, buf: &mut Vec<u8>) -> Result<()> {
        self.inner.try_encode_udwf(node, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(max: Option<usize>, keyed: bool) -> SweepOptions {
        SweepOptions { window_ms: -7, max_key_actors: max, keyed, min_weight: 3, evidence: 9, salt_above: max }
    }

    #[test]
    fn parameters_round_trip() {
        let salted = SweepOptions { salt_above: Some(5), ..opts(None, true) };
        for o in [opts(None, true), opts(Some(0), false), opts(Some(usize::MAX >> 1), true), salted] {
            for tag in [TAG_SWEEP, TAG_MERGE] {
                let mut buf = Vec::new();
                encode(tag, &o, &mut buf);
                assert_eq!(buf[0], 0, "our bytes must not parse as protobuf");
                let rest = buf.strip_prefix(MAGIC).unwrap();
                assert_eq!(rest[0], tag);
                assert_eq!(decode(&rest[1..]).unwrap(), o);
            }
        }
    }

    #[test]
    fn damaged_parameters_are_errors() {
        let mut buf = Vec::new();
        encode(TAG_SWEEP, &opts(Some(4), true), &mut buf);
        let body = &buf[MAGIC.len() + 1..];
        for cut in 0..body.len() {
            assert!(decode(&body[..cut]).is_err(), "truncated at {cut}");
        }
        let mut long = body.to_vec();
        long.push(0);
        assert!(decode(&long).is_err());
        let mut flag = body.to_vec();
        flag[8] = 2;
        assert!(decode(&flag).is_err());
    }
}
