//! The co-action sweep as DataFusion physical operators (opt-in, issue #18).
//!
//! The local engine ([`swarmscan_detect::Prepared::run`]) sorts a network's
//! [`KeyedActions`] by `(key, time)` and sweeps them on all cores of one
//! machine. This crate states the same computation as a DataFusion
//! [`ExecutionPlan`] so that a cluster (Ballista, next) can cut it into
//! stages: two custom operators wrap the pure kernels of
//! [`swarmscan_detect::keyed`], and DataFusion's own physical optimizer
//! (`EnforceDistribution`, `EnforceSorting`) inserts the shuffles and sorts
//! they ask for. Nothing here hand-places a `RepartitionExec` or a `SortExec`.
//!
//! # Plan
//!
//! ```text
//!   PairMergeExec            requires Key([a]): folds partial rows per account pair
//!     │                      (PairAggregate::add_partial ≡ merge), finish → edges
//!   RepartitionExec          Hash([a], N)              ◀── inserted: shuffle 2
//!     │
//!   CoActionSweepExec        requires Key([group]) and, per partition, order
//!     │                      (group, ts_ms, account, row): sweep_group_pairs
//!     │                      → PairAggregate → partial rows
//!     │                      (a, b, pairs, dt_ms, ts_ms, key, row_a, row_b)
//!   SortExec                 [group, ts_ms, account, row], per partition  ◀── inserted
//!     │
//!   RepartitionExec          Hash([group], N)          ◀── inserted: shuffle 1
//!     │
//!   DataSourceExec           MemorySourceConfig over the actions in sweep groups
//!                            (group: u64, key: u32, ts_ms: i64, account: u32,
//!                             row: u32, ghost: bool)
//! ```
//!
//! Every sweep group's actions meet in one sweep partition (shuffle 1). A
//! group is a whole key, or for a hot key one time bucket of it with copies
//! (*ghosts*) of the next bucket's first actions (below), so each
//! partition's pairs are exactly the local kernel's pairs of its keys; every
//! account pair's partial rows meet in one merge partition (shuffle 2), so its
//! edge is final there. The partitions' edges are disjoint by `a`; they are
//! gathered and sorted by `(a, b)`, the native engine's order. Results equal
//! the native engine's edge for edge for every keyed network and any
//! `target_partitions` (`tests/`), because a partial aggregate carries each
//! shared key's best pair under a total order (`Evidence`'s derived `Ord`),
//! never a choice that depends on arrival order.
//!
//! Only the default mode ([`Mode::Default`]) runs here; the toolkit mode's
//! directed edges and co_similar (a similarity join, not a keyed sweep) stay
//! local for now.
//!
//! # Hot keys
//!
//! A key with very many actions (a viral post; co_post's one key) would be
//! one sweep task, however many executors there are. Where the actions are
//! staged ([`actions_batches`]), a key with more actions than
//! [`SweepOptions::salt_above`] (by default one partition's share) is cut
//! into time buckets of width `B ≥ W`, so a pair within the window spans at
//! most two adjacent buckets; each action of bucket `j` less than `W` after
//! the bucket's start is also sent to bucket `j - 1` as a *ghost*. The
//! sweep of a group emits only the pairs whose earlier action is not a
//! ghost, so each pair is produced exactly once
//! ([`swarmscan_detect::keyed::sweep_groups`] proves it;
//! `detect/tests/properties.rs` and `tests/plan.rs` check it against the
//! whole sweep). Partial rows keep the real `key`, so the merge, which folds
//! shared keys, is unchanged. The same pass leaves out keys over
//! `max_key_actors` whole, which a group, seeing part of its key, could not
//! decide.
//!
//! # On a cluster
//!
//! `swarmscan-distributed` runs [`sweep_plan`] on Apache DataFusion Ballista
//! over Parquet-staged actions, with a codec for these two operators. Still
//! to come: streaming the sweep per group instead of collecting a
//! partition.
//!
//! Architecture Invariant: this crate is never part of the default build:
//! the binary depends on it (through `swarmscan-distributed`) only with its
//! `cluster` feature; `cargo tree -p swarmscan` has no DataFusion (CI checks).

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Float64Array, Int64Array, ListArray, RecordBatch, StructArray, UInt32Array,
    UInt64Array,
};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{DataType, Field, Fields, Int64Type, Schema, SchemaRef, UInt32Type, UInt64Type};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::{DataFusionError, Result as DfResult};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_expr::expressions::col;
use datafusion::physical_expr::{EquivalenceProperties, LexRequirement, OrderingRequirements, PhysicalSortRequirement};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, Distribution, ExecutionPlan, ExecutionPlanProperties, InputDistributionRequirements,
    Partitioning, PhysicalExpr, PlanProperties, ReplaceChildrenOptions,
};
use datafusion::prelude::{SessionConfig, SessionContext};
use futures_util::TryStreamExt;
use std::fmt;
use std::sync::{Arc, LazyLock};
use swarmscan_detect::keyed::{Edge, Evidence, KeyedActions, PairAggregate, sweep_group_pairs, sweep_groups};
use swarmscan_detect::{Mode, Network, Params};
use swarmscan_model::Events;

/// Pairs per batch handed from the sweep kernel to the partial aggregate.
const PAIR_BATCH: usize = 8192;

/// Rows per record batch of the in-memory source.
const SOURCE_BATCH: usize = 8192;

/// A failed run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Extracting the network failed (bad parameters, too many rows).
    #[error(transparent)]
    Detect(#[from] swarmscan_detect::Error),
    /// The plan failed.
    #[error("DataFusion: {0}")]
    DataFusion(#[from] DataFusionError),
    /// The network or mode has no DataFusion plan.
    #[error("{0}")]
    Unsupported(String),
}

/// What the two operators need to know besides their input.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepOptions {
    /// Actions at most this far apart (inclusive) co-occur.
    pub window_ms: i64,
    /// Skip keys with more distinct accounts than this.
    pub max_key_actors: Option<usize>,
    /// Whether edges count distinct shared keys (false: every pair of
    /// actions counts, co_post).
    pub keyed: bool,
    /// Edges with fewer shared keys are dropped.
    pub min_weight: u32,
    /// Evidence items kept per edge.
    pub evidence: usize,
    /// Keys with more actions than this are cut into time buckets before
    /// the shuffle ([`swarmscan_detect::keyed::sweep_groups`]), so that one
    /// hot key is several sweep tasks; `None`: one partition's share of the
    /// actions (a key larger than that would make its task the slowest).
    /// Read where the actions are staged; the edges do not depend on it.
    pub salt_above: Option<usize>,
}

impl SweepOptions {
    /// The options of a network run in the default mode.
    pub fn new(network: Network, params: &Params) -> SweepOptions {
        SweepOptions { keyed: network.is_keyed(), ..SweepOptions::keyed(params) }
    }

    /// The options of a keyed sweep (edges count distinct shared keys) with
    /// `params`' window, key cap, minimum weight and evidence: what a rekeyed
    /// network runs, whichever network it came from.
    pub fn keyed(params: &Params) -> SweepOptions {
        SweepOptions {
            window_ms: params.window_ms,
            max_key_actors: params.max_key_actors,
            keyed: true,
            min_weight: params.min_weight,
            evidence: params.evidence,
            salt_above: None,
        }
    }
}

/// The schema of the actions: [`KeyedActions`]' columns, each row in its
/// sweep group ([`swarmscan_detect::keyed::sweep_groups`]): `group` is
/// `key << 32 | time bucket`, and `ghost` marks a copy of the next bucket's
/// row that only pairs with the group's own rows.
pub fn actions_schema() -> SchemaRef {
    static S: LazyLock<SchemaRef> = LazyLock::new(|| {
        Arc::new(Schema::new(vec![
            Field::new("group", DataType::UInt64, false),
            Field::new("key", DataType::UInt32, false),
            Field::new("ts_ms", DataType::Int64, false),
            Field::new("account", DataType::UInt32, false),
            Field::new("row", DataType::UInt32, false),
            Field::new("ghost", DataType::Boolean, false),
        ]))
    });
    S.clone()
}

/// The schema of the sweep's partial rows ([`PairAggregate::into_partials`]).
pub fn partials_schema() -> SchemaRef {
    static S: LazyLock<SchemaRef> = LazyLock::new(|| {
        Arc::new(Schema::new(vec![
            Field::new("a", DataType::UInt32, false),
            Field::new("b", DataType::UInt32, false),
            Field::new("pairs", DataType::UInt64, false),
            Field::new("dt_ms", DataType::Int64, false),
            Field::new("ts_ms", DataType::Int64, false),
            Field::new("key", DataType::UInt32, false),
            Field::new("row_a", DataType::UInt32, false),
            Field::new("row_b", DataType::UInt32, false),
        ]))
    });
    S.clone()
}

fn evidence_fields() -> Fields {
    Fields::from(vec![
        Field::new("dt_ms", DataType::Int64, false),
        Field::new("ts_ms", DataType::Int64, false),
        Field::new("key", DataType::UInt32, false),
        Field::new("row_a", DataType::UInt32, false),
        Field::new("row_b", DataType::UInt32, false),
    ])
}

fn evidence_item() -> Arc<Field> {
    Arc::new(Field::new("item", DataType::Struct(evidence_fields()), false))
}

/// The schema of the edges: [`Edge`]'s fields, evidence as a list of structs.
pub fn edges_schema() -> SchemaRef {
    static S: LazyLock<SchemaRef> = LazyLock::new(|| {
        Arc::new(Schema::new(vec![
            Field::new("a", DataType::UInt32, false),
            Field::new("b", DataType::UInt32, false),
            Field::new("weight", DataType::UInt32, false),
            Field::new("pairs", DataType::UInt64, false),
            Field::new("min_dt_ms", DataType::Int64, false),
            Field::new("median_dt_ms", DataType::Float64, false),
            Field::new("evidence", DataType::List(evidence_item()), false),
        ]))
    });
    S.clone()
}

/// The actions as record batches of [`actions_schema`], cut into
/// `partitions` source partitions of about equal size, hot keys cut into
/// sweep groups by `opts` (keys over `max_key_actors` are left out here,
/// whole). `ka` need not be sorted (a sorted one is not copied).
pub fn actions_batches(ka: &KeyedActions, opts: &SweepOptions, partitions: usize) -> DfResult<Vec<Vec<RecordBatch>>> {
    let mut out = vec![Vec::new(); partitions.max(1)];
    for_each_actions_batch(ka, opts, partitions, |p, b| {
        out[p].push(b);
        Ok::<_, DataFusionError>(())
    })?;
    Ok(out)
}

/// [`actions_batches`] one batch at a time, in partition order: `sink(p,
/// batch)` for partitions `p` = 0, 1, … (a partition may get no batch), so
/// that a caller writing them out holds one batch, not all of them.
pub fn for_each_actions_batch<E: From<DataFusionError>>(
    ka: &KeyedActions,
    opts: &SweepOptions,
    partitions: usize,
    mut sink: impl FnMut(usize, RecordBatch) -> Result<(), E>,
) -> Result<(), E> {
    let partitions = partitions.max(1);
    let sorted;
    let ka = if ka.is_sorted() {
        ka
    } else {
        sorted = {
            let mut k = ka.clone();
            k.sort();
            k
        };
        &sorted
    };
    let max_group = opts.salt_above.unwrap_or_else(|| ka.len().div_ceil(partitions));
    let groups = sweep_groups(ka, opts.window_ms, opts.max_key_actors, max_group);
    let per = groups.len().div_ceil(partitions).max(1);
    let mut start = 0;
    while start < groups.len() {
        let end = (start + SOURCE_BATCH.min(per)).min(groups.len());
        let src = &groups.source[start..end];
        let cols: Vec<ArrayRef> = vec![
            Arc::new(UInt64Array::from(groups.group[start..end].to_vec())),
            Arc::new(UInt32Array::from_iter_values(src.iter().map(|&i| ka.key[i]))),
            Arc::new(Int64Array::from_iter_values(src.iter().map(|&i| ka.ts_ms[i]))),
            Arc::new(UInt32Array::from_iter_values(src.iter().map(|&i| ka.account[i]))),
            Arc::new(UInt32Array::from_iter_values(src.iter().map(|&i| ka.row[i]))),
            Arc::new(BooleanArray::from(groups.ghost[start..end].to_vec())),
        ];
        let batch = RecordBatch::try_new(actions_schema(), cols).map_err(DataFusionError::from)?;
        sink((start / per).min(partitions - 1), batch)?;
        start = end;
    }
    Ok(())
}

fn sort_requirement(schema: &Schema, cols: &[&str]) -> DfResult<OrderingRequirements> {
    let reqs = cols
        .iter()
        .map(|c| Ok(PhysicalSortRequirement::new(col(c, schema)?, Some(Default::default()))))
        .collect::<DfResult<Vec<_>>>()?;
    let lex = LexRequirement::new(reqs).ok_or_else(|| DataFusionError::Internal("empty sort requirement".into()))?;
    Ok(OrderingRequirements::new(lex))
}

/// Runs `work` on the whole of one input partition and streams its single
/// output batch.
fn per_partition(
    input: &Arc<dyn ExecutionPlan>,
    partition: usize,
    context: Arc<TaskContext>,
    schema: SchemaRef,
    work: impl FnOnce(Vec<RecordBatch>) -> DfResult<RecordBatch> + Send + 'static,
) -> DfResult<SendableRecordBatchStream> {
    let stream = input.execute(partition, context)?;
    let out = futures_util::stream::once(async move {
        let batches: Vec<RecordBatch> = stream.try_collect().await?;
        work(batches)
    });
    Ok(Box::pin(RecordBatchStreamAdapter::new(schema, out)))
}

/// What tells the two operators apart; [`KernelExec`] is the rest of an
/// [`ExecutionPlan`] around it (one input, one output batch per partition).
pub trait Kernel: fmt::Debug + Send + Sync + 'static {
    /// The operator's name in plans.
    const NAME: &'static str;
    /// The input column it needs hash-partitioned: every row with the same
    /// value meets in one partition.
    const PARTITION_BY: &'static str;
    /// The order it needs within a partition (empty: none).
    const ORDER_BY: &'static [&'static str];
    /// Its output schema.
    fn schema() -> SchemaRef;
    /// Its work on one whole partition.
    fn run(batches: &[RecordBatch], opts: &SweepOptions) -> DfResult<RecordBatch>;
    /// Its parameters, for plan displays.
    fn describe(opts: &SweepOptions, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

/// One of the two operators: the kernel `K` over `input`, which may have any
/// distribution (the optimizer shuffles and sorts it as `K` requires).
#[derive(Debug)]
pub struct KernelExec<K: Kernel> {
    input: Arc<dyn ExecutionPlan>,
    opts: SweepOptions,
    props: Arc<PlanProperties>,
    kernel: std::marker::PhantomData<K>,
}

/// The co-action sweep of one hash partition of the sweep groups: collects
/// its actions (sorted by `(group, ts_ms, account, row)`, which it
/// requires), sweeps its groups with
/// [`swarmscan_detect::keyed::sweep_group_pairs`] into a [`PairAggregate`] and
/// emits its partial rows ([`partials_schema`]). Its input is what
/// [`actions_batches`] stages: groups already cut and keys over
/// `max_key_actors` already left out, so the operator applies no cap itself.
pub type CoActionSweepExec = KernelExec<Sweep>;

/// The merge of one hash partition of the accounts `a`: folds the partial
/// rows of every account pair ([`PairAggregate::add_partial`]) and emits the
/// finished edges ([`edges_schema`]), sorted by `(a, b)`.
pub type PairMergeExec = KernelExec<Merge>;

impl<K: Kernel> KernelExec<K> {
    /// The operator over `input`.
    pub fn new(input: Arc<dyn ExecutionPlan>, opts: SweepOptions) -> KernelExec<K> {
        let n = input.output_partitioning().partition_count();
        let props = Arc::new(PlanProperties::new(
            EquivalenceProperties::new(K::schema()),
            Partitioning::UnknownPartitioning(n),
            EmissionType::Final,
            Boundedness::Bounded,
        ));
        KernelExec { input, opts, props, kernel: std::marker::PhantomData }
    }

    /// The options.
    pub fn options(&self) -> &SweepOptions {
        &self.opts
    }

    fn rebuilt(&self, mut children: Vec<Arc<dyn ExecutionPlan>>) -> DfResult<Arc<dyn ExecutionPlan>> {
        if children.len() != 1 {
            return Err(DataFusionError::Internal(format!("{} takes one input, got {}", K::NAME, children.len())));
        }
        Ok(Arc::new(KernelExec::<K>::new(children.swap_remove(0), self.opts.clone())))
    }
}

impl<K: Kernel> DisplayAs for KernelExec<K> {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", K::NAME)?;
        K::describe(&self.opts, f)
    }
}

impl<K: Kernel> ExecutionPlan for KernelExec<K> {
    fn name(&self) -> &str {
        K::NAME
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.props
    }

    fn input_distribution_requirements(&self) -> InputDistributionRequirements {
        let by = col(K::PARTITION_BY, &self.input.schema()).expect("the input has the partitioning column");
        InputDistributionRequirements::new(vec![Distribution::KeyPartitioned(vec![by])])
    }

    fn required_input_ordering(&self) -> Vec<Option<OrderingRequirements>> {
        if K::ORDER_BY.is_empty() {
            return vec![None];
        }
        vec![Some(sort_requirement(&self.input.schema(), K::ORDER_BY).expect("the input has the ordering columns"))]
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> DfResult<TreeNodeRecursion>,
    ) -> DfResult<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn replace_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
        _options: ReplaceChildrenOptions,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        self.rebuilt(children)
    }

    fn with_new_children(self: Arc<Self>, children: Vec<Arc<dyn ExecutionPlan>>) -> DfResult<Arc<dyn ExecutionPlan>> {
        self.rebuilt(children)
    }

    fn execute(&self, partition: usize, context: Arc<TaskContext>) -> DfResult<SendableRecordBatchStream> {
        let opts = self.opts.clone();
        per_partition(&self.input, partition, context, K::schema(), move |batches| K::run(&batches, &opts))
    }
}

/// The sweep's kernel ([`CoActionSweepExec`]).
#[derive(Debug)]
pub struct Sweep;

impl Kernel for Sweep {
    const NAME: &'static str = "CoActionSweepExec";
    const PARTITION_BY: &'static str = "group";
    const ORDER_BY: &'static [&'static str] = &["group", "ts_ms", "account", "row"];

    fn schema() -> SchemaRef {
        partials_schema()
    }

    fn run(batches: &[RecordBatch], opts: &SweepOptions) -> DfResult<RecordBatch> {
        sweep(batches, opts)
    }

    fn describe(opts: &SweepOptions, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "window_ms={}, keyed={}", opts.window_ms, opts.keyed)?;
        if let Some(cap) = opts.max_key_actors {
            write!(f, ", max_key_actors={cap}")?;
        }
        Ok(())
    }
}

/// The merge's kernel ([`PairMergeExec`]).
#[derive(Debug)]
pub struct Merge;

impl Kernel for Merge {
    const NAME: &'static str = "PairMergeExec";
    const PARTITION_BY: &'static str = "a";
    const ORDER_BY: &'static [&'static str] = &[];

    fn schema() -> SchemaRef {
        edges_schema()
    }

    fn run(batches: &[RecordBatch], opts: &SweepOptions) -> DfResult<RecordBatch> {
        merge(batches, opts)
    }

    fn describe(opts: &SweepOptions, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "keyed={}, min_weight={}, evidence={}", opts.keyed, opts.min_weight, opts.evidence)
    }
}

fn sweep(batches: &[RecordBatch], opts: &SweepOptions) -> DfResult<RecordBatch> {
    let n = batches.iter().map(RecordBatch::num_rows).sum();
    let mut group: Vec<u64> = Vec::with_capacity(n);
    let mut ghost: Vec<bool> = Vec::with_capacity(n);
    let mut ka = KeyedActions::with_capacity(n);
    for b in batches {
        group.extend(b.column(0).as_primitive::<UInt64Type>().values());
        ka.key.extend(b.column(1).as_primitive::<UInt32Type>().values());
        ka.ts_ms.extend(b.column(2).as_primitive::<Int64Type>().values());
        ka.account.extend(b.column(3).as_primitive::<UInt32Type>().values());
        ka.row.extend(b.column(4).as_primitive::<UInt32Type>().values());
        ghost.extend(b.column(5).as_boolean().iter().map(|g| g == Some(true)));
    }
    let sorted = (1..n).all(|i| {
        (group[i - 1], ka.ts_ms[i - 1], ka.account[i - 1], ka.row[i - 1])
            <= (group[i], ka.ts_ms[i], ka.account[i], ka.row[i])
    });
    if !sorted {
        return Err(DataFusionError::Internal("CoActionSweepExec's input is not sorted by (group, ts_ms)".into()));
    }
    let mut agg = PairAggregate::new(opts.keyed);
    sweep_group_pairs(&ka, &group, &ghost, opts.window_ms, PAIR_BATCH, &mut |b| agg.add(b))
        .map_err(|g| DataFusionError::Internal(format!("sweep group {g} has a ghost before its own rows")))?;
    let rows = agg.into_partials();
    let cols: Vec<ArrayRef> = vec![
        Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.0))),
        Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.1))),
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.2))),
        Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.3.dt_ms))),
        Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.3.ts_ms))),
        Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.3.key))),
        Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.3.row_a))),
        Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.3.row_b))),
    ];
    Ok(RecordBatch::try_new(partials_schema(), cols)?)
}

fn merge(batches: &[RecordBatch], opts: &SweepOptions) -> DfResult<RecordBatch> {
    let mut agg = PairAggregate::new(opts.keyed);
    for b in batches {
        let u32s = |i: usize| b.column(i).as_primitive::<UInt32Type>();
        let i64s = |i: usize| b.column(i).as_primitive::<Int64Type>();
        let (a, bb, pairs) = (u32s(0), u32s(1), b.column(2).as_primitive::<UInt64Type>());
        let (dt, ts, key, ra, rb) = (i64s(3), i64s(4), u32s(5), u32s(6), u32s(7));
        for i in 0..b.num_rows() {
            let ev = Evidence {
                dt_ms: dt.value(i),
                ts_ms: ts.value(i),
                key: key.value(i),
                row_a: ra.value(i),
                row_b: rb.value(i),
            };
            agg.add_partial(a.value(i), bb.value(i), pairs.value(i), ev);
        }
    }
    edges_batch(&agg.finish(opts.min_weight, opts.evidence))
}

/// The edges as one record batch ([`edges_schema`]).
pub fn edges_batch(edges: &[Edge]) -> DfResult<RecordBatch> {
    let ev: Vec<&Evidence> = edges.iter().flat_map(|e| &e.evidence).collect();
    let values = StructArray::try_new(
        evidence_fields(),
        vec![
            Arc::new(Int64Array::from_iter_values(ev.iter().map(|e| e.dt_ms))),
            Arc::new(Int64Array::from_iter_values(ev.iter().map(|e| e.ts_ms))),
            Arc::new(UInt32Array::from_iter_values(ev.iter().map(|e| e.key))),
            Arc::new(UInt32Array::from_iter_values(ev.iter().map(|e| e.row_a))),
            Arc::new(UInt32Array::from_iter_values(ev.iter().map(|e| e.row_b))),
        ],
        None,
    )?;
    let offsets = OffsetBuffer::from_lengths(edges.iter().map(|e| e.evidence.len()));
    let evidence = ListArray::try_new(evidence_item(), offsets, Arc::new(values), None)?;
    let cols: Vec<ArrayRef> = vec![
        Arc::new(UInt32Array::from_iter_values(edges.iter().map(|e| e.a))),
        Arc::new(UInt32Array::from_iter_values(edges.iter().map(|e| e.b))),
        Arc::new(UInt32Array::from_iter_values(edges.iter().map(|e| e.weight))),
        Arc::new(UInt64Array::from_iter_values(edges.iter().map(|e| e.pairs))),
        Arc::new(Int64Array::from_iter_values(edges.iter().map(|e| e.min_dt_ms))),
        Arc::new(Float64Array::from_iter_values(edges.iter().map(|e| e.median_dt_ms))),
        Arc::new(evidence),
    ];
    Ok(RecordBatch::try_new(edges_schema(), cols)?)
}

/// Reads edges back from record batches of [`edges_schema`].
pub fn edges_from_batches(batches: &[RecordBatch]) -> Vec<Edge> {
    let mut out = Vec::new();
    for b in batches {
        let u32s = |i: usize| b.column(i).as_primitive::<UInt32Type>();
        let (a, bb, weight) = (u32s(0), u32s(1), u32s(2));
        let pairs = b.column(3).as_primitive::<UInt64Type>();
        let min_dt = b.column(4).as_primitive::<Int64Type>();
        let median = b.column(5).as_primitive::<datafusion::arrow::datatypes::Float64Type>();
        let lists = b.column(6).as_list::<i32>();
        for i in 0..b.num_rows() {
            let list = lists.value(i);
            let s = list.as_struct();
            let (dt, ts) = (s.column(0).as_primitive::<Int64Type>(), s.column(1).as_primitive::<Int64Type>());
            let (key, ra, rb) = (
                s.column(2).as_primitive::<UInt32Type>(),
                s.column(3).as_primitive::<UInt32Type>(),
                s.column(4).as_primitive::<UInt32Type>(),
            );
            let evidence = (0..s.len())
                .map(|j| Evidence {
                    dt_ms: dt.value(j),
                    ts_ms: ts.value(j),
                    key: key.value(j),
                    row_a: ra.value(j),
                    row_b: rb.value(j),
                })
                .collect();
            out.push(Edge {
                a: a.value(i),
                b: bb.value(i),
                weight: weight.value(i),
                pairs: pairs.value(i),
                min_dt_ms: min_dt.value(i),
                median_dt_ms: median.value(i),
                evidence,
            });
        }
    }
    out
}

/// A session with `target_partitions` partitions and DataFusion's default
/// physical optimizer rules.
pub fn session(target_partitions: usize) -> SessionContext {
    SessionContext::new_with_config(SessionConfig::new().with_target_partitions(target_partitions.max(1)))
}

/// The plan as built, before the optimizer: the merge over the sweep over
/// the source, with no shuffle or sort in between.
pub fn unoptimized_plan(
    ka: &KeyedActions,
    opts: &SweepOptions,
    source_partitions: usize,
) -> DfResult<Arc<dyn ExecutionPlan>> {
    let source: Arc<dyn ExecutionPlan> = datafusion::datasource::memory::MemorySourceConfig::try_new_exec(
        &actions_batches(ka, opts, source_partitions)?,
        actions_schema(),
        None,
    )?;
    Ok(sweep_plan(source, opts))
}

/// The merge over the sweep over `source`, any plan producing
/// [`actions_schema`] rows (an in-memory table here, Parquet files on a
/// cluster), before the optimizer.
pub fn sweep_plan(source: Arc<dyn ExecutionPlan>, opts: &SweepOptions) -> Arc<dyn ExecutionPlan> {
    let sweep: Arc<dyn ExecutionPlan> = Arc::new(CoActionSweepExec::new(source, opts.clone()));
    Arc::new(PairMergeExec::new(sweep, opts.clone()))
}

/// Runs the session's physical optimizer rules over `plan`, which inserts
/// the repartitions and sorts the operators require.
pub fn optimize(ctx: &SessionContext, plan: Arc<dyn ExecutionPlan>) -> DfResult<Arc<dyn ExecutionPlan>> {
    let state = ctx.state();
    let config = state.config_options().clone();
    state.physical_optimizers().iter().try_fold(plan, |plan, rule| rule.optimize(plan, &config))
}

/// The optimized plan of `ka` for a session of `target_partitions`.
pub fn physical_plan(ctx: &SessionContext, ka: &KeyedActions, opts: &SweepOptions) -> DfResult<Arc<dyn ExecutionPlan>> {
    let parts = ctx.state().config().target_partitions();
    optimize(ctx, unoptimized_plan(ka, opts, parts)?)
}

/// The default-mode edges of `ka` through the DataFusion plan, sorted by
/// `(a, b)`: equal to the native engine's.
pub async fn keyed_edges_async(
    ka: &KeyedActions,
    opts: &SweepOptions,
    target_partitions: usize,
) -> DfResult<Vec<Edge>> {
    let ctx = session(target_partitions);
    let plan = physical_plan(&ctx, ka, opts)?;
    let batches = datafusion::physical_plan::collect(plan, ctx.task_ctx()).await?;
    let mut edges = edges_from_batches(&batches);
    edges.sort_unstable_by_key(|e| (e.a, e.b));
    Ok(edges)
}

/// [`keyed_edges_async`] on a tokio runtime of its own (so not to be called
/// from inside one: use [`keyed_edges_async`] there).
pub fn keyed_edges(ka: &KeyedActions, opts: &SweepOptions, target_partitions: usize) -> DfResult<Vec<Edge>> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(target_partitions.clamp(1, 8))
        .enable_all()
        .build()
        .map_err(|e| DataFusionError::External(Box::new(e)))?;
    rt.block_on(keyed_edges_async(ka, opts, target_partitions))
}

/// The edges of `network` over `events` in the default mode, computed by
/// the DataFusion plan with `target_partitions` partitions: the same edges,
/// in the same order, as [`swarmscan_detect::compute`]'s
/// `Edges::Undirected`.
pub fn network_edges(
    events: &Events,
    network: Network,
    params: &Params,
    target_partitions: usize,
) -> Result<Vec<Edge>, Error> {
    check_supported(network, params)?;
    let prepared = swarmscan_detect::prepare(events, network, params)?;
    let edges = keyed_edges(prepared.keyed_actions(), &SweepOptions::new(network, params), target_partitions)?;
    Ok(finish_edges(edges, params))
}

/// Whether the plan computes `network` with `params`: the default mode's
/// keyed networks; the toolkit mode's directed edges and co_similar (a
/// similarity join, not a keyed sweep) stay local.
pub fn check_supported(network: Network, params: &Params) -> Result<(), Error> {
    if params.mode != Mode::Default {
        return Err(Error::Unsupported("the DataFusion plan computes the default mode only".into()));
    }
    if network == Network::CoSimilar {
        return Err(Error::Unsupported("co_similar is a similarity join, not a keyed sweep".into()));
    }
    Ok(())
}

/// The plan's edges as the native engine returns them: sorted by `(a, b)`
/// and, with `weights_only`, without timing or evidence.
pub fn finish_edges(mut edges: Vec<Edge>, params: &Params) -> Vec<Edge> {
    edges.sort_unstable_by_key(|e| (e.a, e.b));
    if params.weights_only {
        for e in &mut edges {
            (e.min_dt_ms, e.median_dt_ms) = (0, 0.0);
            e.evidence.clear();
        }
    }
    edges
}
