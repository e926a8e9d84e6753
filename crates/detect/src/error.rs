//! Errors of this crate.

use crate::network::Network;

/// Why a network cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The network has no toolkit counterpart to be compatible with.
    #[error("{0} has no coordination-network-toolkit counterpart, so it has no compatibility mode; drop --compat")]
    NoToolkitNetwork(Network),
    /// A parameter is out of range.
    #[error("invalid parameter: {0}")]
    Param(String),
    /// The input is larger than the 32-bit row ids allow.
    #[error("too many rows for one run: {0} (the limit is 2^32 - 2)")]
    TooManyRows(usize),
}
