//! swarmscan's event table as Arrow record batches and Parquet files.
//!
//! The Arrow schema mirrors the model column for column: interned columns
//! become dictionary arrays whose keys are the model's `Sym`s and whose
//! values are the interner's arena (already in `LargeUtf8` layout), and list
//! columns keep the model's offsets. [`into_record_batch`] therefore moves
//! buffers instead of reshaping rows; only nullable key columns (target,
//! text, lang) and the per-row handle are materialised.
//!
//! Schema version 1 (stored as `swarmscan.schema_version` in the file's
//! key-value metadata), one row per event:
//!
//! | column | Arrow type | notes |
//! |---|---|---|
//! | `platform` | `Dictionary<UInt8, Utf8>` | `twitter`, `telegram`, `bluesky`, `mastodon`, `facebook`, `instagram`, `other` |
//! | `post_id` | `Dictionary<UInt32, LargeUtf8>` | |
//! | `account_id` | `Dictionary<UInt32, LargeUtf8>` | |
//! | `handle` | `Dictionary<UInt32, LargeUtf8>`, nullable | first handle seen for the account |
//! | `ts` | `Timestamp(Millisecond, "UTC")` | |
//! | `kind` | `Dictionary<UInt8, Utf8>` | `post`, `repost`, `reply`, `quote`, `forward`, `like` |
//! | `target` | `Dictionary<UInt32, LargeUtf8>`, nullable | post id acted on |
//! | `text` | `Dictionary<UInt32, LargeUtf8>`, nullable | |
//! | `lang` | `Dictionary<UInt32, LargeUtf8>`, nullable | |
//! | `urls` | `List<Struct<written: Dict, expanded: Dict>>` | as written and expanded |
//! | `hashtags` | `List<Dictionary<UInt32, LargeUtf8>>` | without `#` |
//! | `mentions` | `List<Dictionary<UInt32, LargeUtf8>>` | without `@` |
//!
//! Architecture Invariant: only this crate knows the Arrow/Parquet schema.

use arrow_array::types::{UInt8Type, UInt32Type};
use arrow_array::{
    Array, ArrayRef, DictionaryArray, LargeStringArray, ListArray, RecordBatch, StringArray, StructArray,
    TimestampMillisecondArray, UInt8Array, UInt32Array,
};
use arrow_buffer::{Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{ArrowError, DataType, Field, Fields, Schema, TimeUnit};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::HashMap;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;
use swarmscan_model::{Events, Interner, Keys, Kind, Platform, RawEvent, RawUrl, Sym};

/// The schema version written into every file.
pub const SCHEMA_VERSION: &str = "1";

/// Rows per Parquet row group.
const ROW_GROUP: usize = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: {source}")]
    Parquet { path: String, source: parquet::errors::ParquetError },
    #[error("{path}: {source}")]
    Arrow { path: String, source: ArrowError },
    #[error("{path}: not a swarmscan events file: {message}")]
    Schema { path: String, message: String },
}

fn dict_type(key: DataType, value: DataType) -> DataType {
    DataType::Dictionary(Box::new(key), Box::new(value))
}

fn sym_dict() -> DataType {
    dict_type(DataType::UInt32, DataType::LargeUtf8)
}

fn url_fields() -> Fields {
    Fields::from(vec![Field::new("written", sym_dict(), false), Field::new("expanded", sym_dict(), false)])
}

/// The Arrow schema of an events table.
pub fn schema() -> Schema {
    let small = dict_type(DataType::UInt8, DataType::Utf8);
    let list =
        |name: &str, item: DataType| Field::new(name, DataType::List(Arc::new(Field::new("item", item, false))), false);
    Schema::new(vec![
        Field::new("platform", small.clone(), false),
        Field::new("post_id", sym_dict(), false),
        Field::new("account_id", sym_dict(), false),
        Field::new("handle", sym_dict(), true),
        Field::new("ts", DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())), false),
        Field::new("kind", small, false),
        Field::new("target", sym_dict(), true),
        Field::new("text", sym_dict(), true),
        Field::new("lang", sym_dict(), true),
        list("urls", DataType::Struct(url_fields())),
        list("hashtags", sym_dict()),
        list("mentions", sym_dict()),
    ])
    .with_metadata(HashMap::from([("swarmscan.schema_version".to_string(), SCHEMA_VERSION.to_string())]))
}

/// The post ids as a string array: printed from [`Keys`], which holds
/// numeric ids as numbers.
fn key_values(k: &Keys) -> ArrayRef {
    let mut bytes: Vec<u8> = Vec::new();
    let mut offsets: Vec<i64> = Vec::with_capacity(k.len() + 1);
    offsets.push(0);
    for s in k.iter() {
        bytes.extend_from_slice(s.as_bytes());
        offsets.push(bytes.len() as i64);
    }
    Arc::new(LargeStringArray::new(OffsetBuffer::new(ScalarBuffer::from(offsets)), Buffer::from_vec(bytes), None))
}

fn into_values(i: Interner) -> ArrayRef {
    let (bytes, offsets) = i.into_raw_parts();
    Arc::new(LargeStringArray::new(OffsetBuffer::new(ScalarBuffer::from(offsets)), Buffer::from_vec(bytes), None))
}

fn small_dict(codes: Vec<u8>, names: &[&str]) -> ArrayRef {
    let values: ArrayRef = Arc::new(StringArray::from(names.to_vec()));
    Arc::new(DictionaryArray::<UInt8Type>::new(UInt8Array::from(codes), values))
}

fn keys(syms: Vec<Sym>) -> UInt32Array {
    let raw: Vec<u32> = bytemuck::cast_vec(syms);
    UInt32Array::from(raw)
}

/// Keys with `Sym::NONE` as null (key 0 under the null bit).
fn nullable_keys(syms: &[Sym]) -> UInt32Array {
    let nulls = NullBuffer::from_iter(syms.iter().map(|s| !s.is_none()));
    let raw: Vec<u32> = syms.iter().map(|s| if s.is_none() { 0 } else { s.0 }).collect();
    UInt32Array::new(ScalarBuffer::from(raw), Some(nulls).filter(|n| n.null_count() > 0))
}

fn dict(keys: UInt32Array, values: ArrayRef) -> ArrayRef {
    Arc::new(DictionaryArray::<UInt32Type>::new(keys, values))
}

fn list(offsets: Vec<i32>, item_type: DataType, values: ArrayRef) -> ArrayRef {
    let field = Arc::new(Field::new("item", item_type, false));
    Arc::new(ListArray::new(field, OffsetBuffer::new(ScalarBuffer::from(offsets)), values, None))
}

/// A list column in Arrow's layout, built from the table's packed lists.
struct ArrowList {
    offsets: Vec<i32>,
    values: Vec<Sym>,
}

impl ArrowList {
    fn new(rows: usize) -> ArrowList {
        ArrowList { offsets: Vec::with_capacity(rows + 1), values: Vec::new() }
    }

    fn end_row(&mut self) -> Result<(), ArrowError> {
        let n = i32::try_from(self.values.len())
            .map_err(|_| ArrowError::ComputeError("more than 2^31 list values in one column".into()))?;
        self.offsets.push(n);
        Ok(())
    }
}

/// Converts a table to one record batch, moving its column and string
/// buffers (the packed columns — kind, platform, language, lists — are
/// unpacked into Arrow's layout).
pub fn into_record_batch(ev: Events) -> Result<RecordBatch, ArrowError> {
    let n = ev.len();
    let handle: Vec<Sym> = ev.account.iter().map(|a| ev.account_handle[a.idx()]).collect();
    let platform_names: Vec<&str> = Platform::ALL.iter().map(|p| p.as_str()).collect();
    let kind_names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
    let platform: Vec<u8> = (0..n).map(|i| ev.platform(i) as u8).collect();
    let kind: Vec<u8> = (0..n).map(|i| ev.kind(i) as u8).collect();
    let lang: Vec<Sym> = (0..n).map(|i| ev.lang(i)).collect();
    let (mut written, mut expanded, mut tags, mut mentions) =
        (ArrowList::new(n), Vec::new(), ArrowList::new(n), ArrowList::new(n));
    for l in [&mut written, &mut tags, &mut mentions] {
        l.end_row()?;
    }
    for i in 0..n {
        for (w, x) in ev.urls(i) {
            written.values.push(w);
            expanded.push(x);
        }
        written.end_row()?;
        tags.values.extend_from_slice(ev.hashtags(i));
        tags.end_row()?;
        mentions.values.extend_from_slice(ev.mentions(i));
        mentions.end_row()?;
    }
    let strings = into_values(ev.strings);
    let keys_values = key_values(&ev.keys);
    let columns: Vec<ArrayRef> = vec![
        small_dict(platform, &platform_names),
        dict(keys(ev.post), keys_values.clone()),
        dict(keys(ev.account), into_values(ev.account_ids)),
        dict(nullable_keys(&handle), strings.clone()),
        Arc::new(TimestampMillisecondArray::from(ev.ts_ms).with_timezone("UTC")),
        small_dict(kind, &kind_names),
        dict(nullable_keys(&ev.target), keys_values),
        dict(nullable_keys(&ev.text), into_values(ev.texts)),
        dict(nullable_keys(&lang), strings.clone()),
        list(
            written.offsets,
            DataType::Struct(url_fields()),
            Arc::new(StructArray::new(
                url_fields(),
                vec![dict(keys(written.values), strings.clone()), dict(keys(expanded), strings.clone())],
                None,
            )),
        ),
        list(tags.offsets, sym_dict(), dict(keys(tags.values), strings.clone())),
        list(mentions.offsets, sym_dict(), dict(keys(mentions.values), strings)),
    ];
    let batch = RecordBatch::try_new(Arc::new(schema()), columns)?;
    debug_assert_eq!(batch.num_rows(), n);
    Ok(batch)
}

/// Converts a borrowed table (copies the buffers once).
pub fn to_record_batch(ev: &Events) -> Result<RecordBatch, ArrowError> {
    into_record_batch(ev.clone())
}

/// Writes a table as a zstd-compressed Parquet file.
pub fn write_parquet(ev: Events, path: &Path) -> Result<(), Error> {
    write_parquet_in(ev, path, ROW_GROUP)
}

/// [`write_parquet`] with row groups of at most `row_group` rows.
fn write_parquet_in(ev: Events, path: &Path, row_group: usize) -> Result<(), Error> {
    let p = path.display().to_string();
    let batch = into_record_batch(ev).map_err(|source| Error::Arrow { path: p.clone(), source })?;
    let file = File::create(path).map_err(|source| Error::Io { path: p.clone(), source })?;
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
        .set_max_row_group_row_count(Some(row_group))
        .build();
    let pq = |source| Error::Parquet { path: p.clone(), source };
    let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), Some(props)).map_err(pq)?;
    w.write(&batch).map_err(pq)?;
    w.close().map_err(pq)?;
    Ok(())
}

/// Reads a file written by [`write_parquet`], appending to `out`; returns the rows read.
///
/// Row groups are decoded in parallel, a window of one per thread at a
/// time, each into its own table, and appended in file order, so the result
/// equals a sequential read. A file that fails anywhere adds nothing to
/// `out`: its rows are either all read or all reported unread.
pub fn read_parquet(path: &Path, out: &mut Events) -> Result<u64, Error> {
    use rayon::prelude::*;
    let p = path.display().to_string();
    let open = || -> Result<ParquetRecordBatchReaderBuilder<File>, Error> {
        let file = File::open(path).map_err(|source| Error::Io { path: p.clone(), source })?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(|source| Error::Parquet { path: p.clone(), source })?;
        let version = builder.schema().metadata().get("swarmscan.schema_version").cloned();
        if version.as_deref() != Some(SCHEMA_VERSION) {
            return Err(Error::Schema {
                path: p.clone(),
                message: format!("schema version {version:?}, expected {SCHEMA_VERSION}"),
            });
        }
        Ok(builder)
    };
    let groups: Vec<usize> = (0..open()?.metadata().num_row_groups()).collect();
    let read_group = |g: usize| -> Result<(Events, u64), Error> {
        let reader = open()?
            .with_row_groups(vec![g])
            .with_batch_size(64 * 1024)
            .build()
            .map_err(|source| Error::Parquet { path: p.clone(), source })?;
        let (mut ev, mut rows) = (Events::for_appending(), 0);
        for batch in reader {
            let batch = batch.map_err(|source| Error::Arrow { path: p.clone(), source })?;
            rows += append_batch(&batch, &mut ev).map_err(|message| Error::Schema { path: p.clone(), message })?;
        }
        Ok((ev, rows))
    };
    let mut file = Events::new();
    let mut rows = 0;
    for window in groups.chunks(rayon::current_num_threads().max(1)) {
        let parts: Vec<Result<(Events, u64), Error>> = window.par_iter().map(|&g| read_group(g)).collect();
        for part in parts {
            let (ev, n) = part?;
            file.append(ev);
            rows += n;
        }
    }
    out.append(file);
    Ok(rows)
}

/// A dictionary column's string at row `i` (`""` when null).
struct DictCol<'a> {
    keys: std::borrow::Cow<'a, [u32]>,
    nulls: Option<&'a NullBuffer>,
    values: Vec<&'a str>,
}

impl<'a> DictCol<'a> {
    fn new(a: &'a dyn Array, name: &str) -> Result<DictCol<'a>, String> {
        let bad = || format!("column `{name}` has type {}", a.data_type());
        if let Some(d) = a.as_any().downcast_ref::<DictionaryArray<UInt32Type>>() {
            let v = d.values().as_any().downcast_ref::<LargeStringArray>().ok_or_else(bad)?;
            Ok(DictCol {
                keys: d.keys().values().as_ref().into(),
                nulls: d.nulls(),
                values: v.iter().map(|s| s.unwrap_or("")).collect(),
            })
        } else if let Some(d) = a.as_any().downcast_ref::<DictionaryArray<UInt8Type>>() {
            let v = d.values().as_any().downcast_ref::<StringArray>().ok_or_else(bad)?;
            // Widen the small keys once; these columns have few values.
            let keys: Vec<u32> = d.keys().values().iter().map(|&k| k as u32).collect();
            Ok(DictCol { keys: keys.into(), nulls: d.nulls(), values: v.iter().map(|s| s.unwrap_or("")).collect() })
        } else {
            Err(bad())
        }
    }

    fn get(&self, i: usize) -> &'a str {
        if self.nulls.is_some_and(|n| n.is_null(i)) { "" } else { self.values[self.keys[i] as usize] }
    }
}

fn column<'a>(b: &'a RecordBatch, name: &str) -> Result<&'a ArrayRef, String> {
    b.column_by_name(name).ok_or_else(|| format!("missing column `{name}`"))
}

fn list_col<'a>(b: &'a RecordBatch, name: &str) -> Result<&'a ListArray, String> {
    column(b, name)?.as_any().downcast_ref::<ListArray>().ok_or_else(|| format!("column `{name}` is not a list"))
}

/// Appends a record batch of this crate's schema ([`schema`]) to `out`;
/// returns its rows. `Err` names the column that does not fit.
pub fn append_batch(b: &RecordBatch, out: &mut Events) -> Result<u64, String> {
    let platform = DictCol::new(column(b, "platform")?, "platform")?;
    let post = DictCol::new(column(b, "post_id")?, "post_id")?;
    let account = DictCol::new(column(b, "account_id")?, "account_id")?;
    let handle = DictCol::new(column(b, "handle")?, "handle")?;
    let kind = DictCol::new(column(b, "kind")?, "kind")?;
    let target = DictCol::new(column(b, "target")?, "target")?;
    let text = DictCol::new(column(b, "text")?, "text")?;
    let lang = DictCol::new(column(b, "lang")?, "lang")?;
    let ts = column(b, "ts")?
        .as_any()
        .downcast_ref::<TimestampMillisecondArray>()
        .ok_or("column `ts` is not a millisecond timestamp")?;
    let urls = list_col(b, "urls")?;
    let url_struct = urls.values().as_any().downcast_ref::<StructArray>().ok_or("`urls` items are not structs")?;
    let written = DictCol::new(url_struct.column(0).as_ref(), "urls.written")?;
    let expanded = DictCol::new(url_struct.column(1).as_ref(), "urls.expanded")?;
    let tags = list_col(b, "hashtags")?;
    let tag_values = DictCol::new(tags.values().as_ref(), "hashtags")?;
    let mentions = list_col(b, "mentions")?;
    let mention_values = DictCol::new(mentions.values().as_ref(), "mentions")?;
    let mut url_buf: Vec<RawUrl> = Vec::new();
    let mut tag_buf: Vec<&str> = Vec::new();
    let mut mention_buf: Vec<&str> = Vec::new();
    for i in 0..b.num_rows() {
        url_buf.clear();
        tag_buf.clear();
        mention_buf.clear();
        let r = urls.value_offsets()[i] as usize..urls.value_offsets()[i + 1] as usize;
        url_buf.extend(r.map(|j| RawUrl { written: written.get(j), expanded: expanded.get(j) }));
        let r = tags.value_offsets()[i] as usize..tags.value_offsets()[i + 1] as usize;
        tag_buf.extend(r.map(|j| tag_values.get(j)));
        let r = mentions.value_offsets()[i] as usize..mentions.value_offsets()[i + 1] as usize;
        mention_buf.extend(r.map(|j| mention_values.get(j)));
        let t = target.get(i);
        out.push(&RawEvent {
            platform: Some(Platform::parse(platform.get(i)).ok_or_else(|| format!("row {i}: unknown platform"))?),
            post_id: post.get(i),
            account_id: account.get(i),
            handle: handle.get(i),
            ts_ms: ts.value(i),
            kind: Some(Kind::parse(kind.get(i)).ok_or_else(|| format!("row {i}: unknown kind"))?),
            target: (!t.is_empty()).then_some(t),
            text: text.get(i),
            lang: lang.get(i),
            urls: &url_buf,
            hashtags: &tag_buf,
            mentions: &mention_buf,
        });
    }
    Ok(b.num_rows() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parquet_round_trip_keeps_every_field() {
        let mut ev = Events::new();
        let urls = [RawUrl { written: "https://t.co/a", expanded: "https://example.org/a" }];
        ev.push(&RawEvent {
            platform: Some(Platform::Twitter),
            post_id: "1",
            account_id: "a",
            handle: "alice",
            ts_ms: 1_700_000_000_123,
            kind: Some(Kind::Post),
            text: "hi #x",
            lang: "en",
            urls: &urls,
            hashtags: &["x"],
            ..Default::default()
        });
        ev.push(&RawEvent {
            platform: Some(Platform::Mastodon),
            post_id: "2",
            account_id: "b",
            ts_ms: -5,
            kind: Some(Kind::Repost),
            target: Some("1"),
            mentions: &["alice"],
            ..Default::default()
        });
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.parquet");
        write_parquet(ev.clone(), &path).unwrap();
        let mut back = Events::new();
        assert_eq!(read_parquet(&path, &mut back).unwrap(), 2);
        for i in 0..2 {
            assert_eq!(back.row(i), ev.row(i));
        }
    }

    /// Row groups read in parallel and appended in file order give the
    /// table a sequential read gives: the same rows and the same `Sym`s,
    /// appended after what `out` already held.
    #[test]
    fn row_groups_read_in_parallel_equal_one_table() {
        let mut ev = Events::new();
        for i in 0..500u32 {
            let (post, account, target) = (format!("p{i}"), format!("a{}", i % 37), format!("p{}", i / 3));
            let tag = format!("t{}", i % 11);
            ev.push(&RawEvent {
                platform: Some(Platform::Twitter),
                post_id: &post,
                account_id: &account,
                ts_ms: i64::from(i) * 1000,
                kind: Some(if i % 2 == 0 { Kind::Post } else { Kind::Repost }),
                target: (i % 2 == 1).then_some(target.as_str()),
                text: if i % 5 == 0 { "same text" } else { "" },
                hashtags: &[tag.as_str()],
                ..Default::default()
            });
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.parquet");
        write_parquet_in(ev.clone(), &path, 64).unwrap();
        let meta = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap()).unwrap();
        assert_eq!(meta.metadata().num_row_groups(), 8);
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let mut back = Events::new();
            back.push(&RawEvent {
                post_id: "p7",
                account_id: "a3",
                ts_ms: 1,
                kind: Some(Kind::Post),
                ..Default::default()
            });
            assert_eq!(pool.install(|| read_parquet(&path, &mut back)).unwrap(), 500);
            let mut expect = Events::new();
            expect.push(&RawEvent {
                post_id: "p7",
                account_id: "a3",
                ts_ms: 1,
                kind: Some(Kind::Post),
                ..Default::default()
            });
            expect.append(ev.clone());
            assert_eq!(back.len(), expect.len());
            for i in 0..back.len() {
                assert_eq!(back.row(i), expect.row(i), "row {i}, {threads} threads");
                assert_eq!(
                    (back.post[i], back.account[i], back.target[i]),
                    (expect.post[i], expect.account[i], expect.target[i])
                );
            }
        }
    }
}
