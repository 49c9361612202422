//! Prepared sides: each resource's compared attributes read, normalized and encoded once, so
//! that comparing two sides costs, for a resource that did not change, one index lookup and one
//! digest comparison.
//!
//! Preparing is most of the work of an analysis and depends on one side only: the state side can
//! be prepared once and reused for as long as the state does not change, the live side is
//! prepared per scan. [`crate::analyze_prepared`] then compares two prepared sides.
//!
//! Per resource, a side keeps:
//! - its spec (by position in the spec list; `None` for a type that is not compared),
//! - a hash of its key, computed once and used for every lookup,
//! - its compared attributes, in spec order, as length-framed slots in one shared buffer: each
//!   holds "unknown" (the attribute is not there), "absent" (it normalizes to nothing) or the
//!   encoding of its normalized value (see `TypeSpec::encode`),
//! - a digest of those slots.

use crate::model::Resource;
use crate::schema::{put_len, AttrSpec, Scratch, TypeSpec};
use serde_json::Value;

/// Which view of the resources a [`Prepared`] holds: they are read differently (state reads
/// `tags_all` for `tags`, for example).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Resources as the state records them.
    Expected,
    /// Resources as the cloud reports them.
    Live,
}

/// One side of an analysis, indexed and normalized for comparison. Borrows the resources, which
/// findings and the attribute-level diff of changed resources read.
pub struct Prepared<'a> {
    side: Side,
    specs: Vec<&'static TypeSpec>,
    resources: &'a [Resource],
    /// Parallel to `resources`.
    entries: Vec<Entry>,
    /// Every compared resource's id followed by its slots, back to back: what a lookup and a
    /// comparison read is together in memory.
    data: Vec<u8>,
    index: KeyIndex,
}

#[derive(Debug, Clone)]
struct Entry {
    /// `None` for a type that is not compared; such a resource has no data and is not indexed.
    spec: Option<u32>,
    /// The previous resource of this side with the same key.
    prev: Option<u32>,
    key_hash: u64,
    digest: u64,
    /// `data[start..slots]` is the id, `data[slots..end]` the slots.
    start: usize,
    slots: usize,
    end: usize,
}

/// Slot tags.
const UNKNOWN: u8 = 0;
const ABSENT: u8 = 1;
const PRESENT: u8 = 2;

impl<'a> Prepared<'a> {
    /// Prepares resources as the state records them.
    pub fn expected(specs: &[&'static TypeSpec], resources: &'a [Resource]) -> Self {
        Self::new(Side::Expected, specs, resources)
    }

    /// Prepares resources as the cloud reports them.
    pub fn live(specs: &[&'static TypeSpec], resources: &'a [Resource]) -> Self {
        Self::new(Side::Live, specs, resources)
    }

    /// Prepares one side: [`Prepared::expected`] or [`Prepared::live`].
    ///
    /// # Panics
    ///
    /// With 2^32 - 1 resources or more (positions are kept in 32 bits).
    pub fn new(side: Side, specs: &[&'static TypeSpec], resources: &'a [Resource]) -> Self {
        assert!(
            resources.len() < POSITION as usize && specs.len() < POSITION as usize,
            "too many resources to prepare"
        );
        let mut p = Prepared {
            side,
            specs: specs.to_vec(),
            resources,
            entries: Vec::with_capacity(resources.len()),
            // A compared resource typically takes 50 to 500 bytes: start big enough to rarely grow.
            data: Vec::with_capacity(resources.len() * 128),
            index: KeyIndex::with_capacity(resources.len()),
        };
        let mut scratch = Scratch::default();
        for (pos, r) in resources.iter().enumerate() {
            let key = &r.key;
            // A handful of specs: scanning them (mostly length comparisons) beats hashing two
            // strings. Like the analyzer always has, the last spec of a type wins.
            let Some(spec_idx) = specs
                .iter()
                .rposition(|s| s.resource_type == key.resource_type && s.provider == key.provider)
            else {
                let at = p.data.len();
                p.entries.push(Entry {
                    spec: None,
                    prev: None,
                    key_hash: 0,
                    digest: 0,
                    start: at,
                    slots: at,
                    end: at,
                });
                continue;
            };
            let spec = specs[spec_idx];
            let start = p.data.len();
            // Types without a stable id are keyed by their identity attributes instead.
            match spec.identity_key(&r.attrs) {
                Some(identity) => p.data.extend_from_slice(&identity),
                None => p.data.extend_from_slice(key.id.as_bytes()),
            }
            let slots = p.data.len();
            for attr in spec.attrs {
                write_slot(spec, attr, read(side, attr, r), &mut p.data, &mut scratch);
            }
            let end = p.data.len();
            let entry = Entry {
                spec: Some(spec_idx as u32),
                prev: None,
                key_hash: hash_bytes(spec_idx as u64, &p.data[start..slots]),
                digest: hash_bytes(0, &p.data[slots..end]),
                start,
                slots,
                end,
            };
            let (entries, data) = (&p.entries, &p.data);
            let prev = p.index.insert(entry.key_hash, pos, |other| {
                same_key(&entry, data, &entries[other], data)
            });
            p.entries.push(Entry {
                prev: prev.map(|i| i as u32),
                ..entry
            });
        }
        p
    }

    pub fn side(&self) -> Side {
        self.side
    }

    pub fn resources(&self) -> &'a [Resource] {
        self.resources
    }

    pub(crate) fn specs(&self) -> &[&'static TypeSpec] {
        &self.specs
    }

    /// The spec of resource `pos`, when its type is compared.
    pub(crate) fn spec(&self, pos: usize) -> Option<&'static TypeSpec> {
        self.entries[pos].spec.map(|i| self.specs[i as usize])
    }

    /// Whether an earlier resource of this side has the same key.
    pub(crate) fn is_repeat(&self, pos: usize) -> bool {
        self.entries[pos].prev.is_some()
    }

    /// The earlier resource of this side with the same key as `pos`.
    pub(crate) fn prev(&self, pos: usize) -> Option<usize> {
        self.entries[pos].prev.map(|i| i as usize)
    }

    /// Where resource `pos` of `other` (of a compared type) is on this side: the last resource
    /// with its key. Both sides must have been prepared with the same specs.
    pub(crate) fn find(&self, other: &Prepared<'_>, pos: usize) -> Option<usize> {
        let e = &other.entries[pos];
        e.spec?;
        self.index.find(e.key_hash, |here| {
            same_key(e, &other.data, &self.entries[here], &self.data)
        })
    }

    /// True when resource `pos` here and `other_pos` in `other` have the same compared
    /// attributes, each normalized: nothing to report. The digests settle most cases; the
    /// slots themselves are compared as well so that a digest collision cannot hide drift.
    pub(crate) fn same_attrs(&self, pos: usize, other: &Prepared<'_>, other_pos: usize) -> bool {
        let (a, b) = (&self.entries[pos], &other.entries[other_pos]);
        a.digest == b.digest && self.data[a.slots..a.end] == other.data[b.slots..b.end]
    }

    /// The slots of resource `pos`, one per attribute of its spec, in spec order.
    pub(crate) fn slots(&self, pos: usize) -> Slots<'_> {
        let e = &self.entries[pos];
        Slots(&self.data[e.slots..e.end])
    }
}

/// Same provider, type and id (the spec stands for provider and type).
fn same_key(a: &Entry, a_data: &[u8], b: &Entry, b_data: &[u8]) -> bool {
    a.key_hash == b.key_hash
        && a.spec == b.spec
        && a_data[a.start..a.slots] == b_data[b.start..b.slots]
}

/// Positions of resources by key hash: open addressing with linear probing, at most half full.
/// A slot holds the upper half of a key's hash and the key's position plus one (zero: empty),
/// so that most probes that miss are settled without reading the resource they point to.
struct KeyIndex {
    slots: Vec<u64>,
}

const POSITION: u64 = 0xffff_ffff;

impl KeyIndex {
    fn with_capacity(n: usize) -> Self {
        KeyIndex {
            slots: vec![0; (n * 2).next_power_of_two().max(8)],
        }
    }

    /// The slot holding the key that `is_key` recognizes, with its position, or the empty slot
    /// where that key would go. Ends because the table always has empty slots.
    fn locate(&self, hash: u64, is_key: impl Fn(usize) -> bool) -> (usize, Option<usize>) {
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                return (at, None);
            }
            let pos = (slot & POSITION) as usize - 1;
            if slot & !POSITION == hash & !POSITION && is_key(pos) {
                return (at, Some(pos));
            }
            at = (at + 1) & mask;
        }
    }

    fn find(&self, hash: u64, is_key: impl Fn(usize) -> bool) -> Option<usize> {
        self.locate(hash, is_key).1
    }

    /// Indexes `pos` under its key, in place of the position that had it, which is returned.
    fn insert(&mut self, hash: u64, pos: usize, is_key: impl Fn(usize) -> bool) -> Option<usize> {
        let (at, previous) = self.locate(hash, is_key);
        self.slots[at] = (hash & !POSITION) | (pos as u64 + 1);
        previous
    }
}

/// The raw value of a compared attribute on one side. Only the state has aliases: `tags_all`
/// (when set) holds the provider's default tags, which the cloud reports like any other tag.
/// An attribute the provider resolves ([`AttrSpec::resolved`]) that state does not record is
/// unknown, not absent: state made no claim about it (an instance booted from a disk made
/// elsewhere has no `initialize_params` in state, yet its disk has an image).
pub(crate) fn read<'r>(side: Side, attr: &AttrSpec, r: &'r Resource) -> Option<&'r Value> {
    use crate::model::attr_at;
    match side {
        Side::Expected => attr
            .state_alias
            .and_then(|alias| attr_at(&r.attrs, alias).filter(|v| !v.is_null()))
            .or_else(|| attr_at(&r.attrs, attr.name))
            .filter(|v| !(attr.resolved && (v.is_null() || v.as_str() == Some("")))),
        Side::Live => attr_at(&r.attrs, attr.name),
    }
}

fn write_slot<'v>(
    spec: &TypeSpec,
    attr: &AttrSpec,
    value: Option<&'v Value>,
    out: &mut Vec<u8>,
    scratch: &mut Scratch<'v>,
) {
    // A slot is its length, a tag and the encoded value. One byte is kept for the length, which
    // is enough unless the value is long (a large rule set): then the length is moved in.
    let len_at = out.len();
    out.extend_from_slice(&[0, UNKNOWN]);
    if let Some(v) = value {
        out[len_at + 1] = if spec.encode(attr.shape, v, out, scratch) {
            PRESENT
        } else {
            ABSENT
        };
    }
    let len = out.len() - len_at - 1;
    if len < 0x80 {
        out[len_at] = len as u8;
    } else {
        let mut prefix = Vec::with_capacity(4);
        put_len(&mut prefix, len);
        out.splice(len_at..len_at + 1, prefix);
    }
}

/// One resource's slots, as byte strings of a tag and an encoded value.
pub(crate) struct Slots<'s>(&'s [u8]);

/// What one slot says about its attribute.
pub(crate) fn slot_known(slot: &[u8]) -> bool {
    slot.first().is_some_and(|&tag| tag != UNKNOWN)
}

impl<'s> Iterator for Slots<'s> {
    type Item = &'s [u8];

    fn next(&mut self) -> Option<&'s [u8]> {
        let mut len = 0usize;
        let mut shift = 0;
        loop {
            let (&b, rest) = self.0.split_first()?;
            self.0 = rest;
            len |= usize::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
        }
        let (slot, rest) = self.0.split_at(len);
        self.0 = rest;
        Some(slot)
    }
}

/// Hashes bytes to 64 bits, fast: one multiply per 8 bytes and a final avalanche so that every
/// output bit depends on every input bit. Not cryptographic, and not relied on to be: equal
/// hashes are always confirmed by comparing what was hashed.
pub(crate) fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    const M: u64 = 0x9e37_79b9_7f4a_7c15;
    let step = |h: u64, word: u64| (h ^ word).wrapping_mul(M).rotate_left(29);
    let mut h = seed ^ (bytes.len() as u64).wrapping_mul(M);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        h = step(
            h,
            u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]),
        );
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        // Byte by byte: a copy of a variable length would be a call to memmove.
        let word = rest
            .iter()
            .rev()
            .fold(0u64, |w, &b| (w << 8) | u64::from(b));
        h = step(h, word);
    }
    h ^= h >> 32;
    h = h.wrapping_mul(0xd6e8_feb8_6659_fd93);
    h ^= h >> 32;
    h = h.wrapping_mul(0xd6e8_feb8_6659_fd93);
    h ^ (h >> 32)
}
