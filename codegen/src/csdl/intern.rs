//! String interning for names that repeat thousands of times in a metadata document.
//!
//! A full F&O document repeats the same handful of annotation terms, type names and enum member
//! values on hundreds of thousands of properties. Sharing one `Arc<str>` per distinct string
//! keeps the model small and makes clones cheap. Only such low-cardinality strings are interned:
//! names and label values are mostly distinct, and looking each one up in a table of hundreds
//! of thousands of entries costs more (cache misses) than allocating it.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

/// Hands out one shared `Arc<str>` per distinct string.
#[derive(Default)]
pub(crate) struct Interner {
    strings: HashSet<Arc<str>, BuildHasherDefault<NameHasher>>,
}

impl Interner {
    /// An interner with room for about `capacity` distinct strings.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Interner {
            strings: HashSet::with_capacity_and_hasher(capacity, BuildHasherDefault::default()),
        }
    }

    /// Returns the shared copy of `s`, storing it on first sight.
    pub(crate) fn intern(&mut self, s: &str) -> Arc<str> {
        if let Some(existing) = self.strings.get(s) {
            return Arc::clone(existing);
        }
        let shared: Arc<str> = Arc::from(s);
        self.strings.insert(Arc::clone(&shared));
        shared
    }
}

/// A fast, non-cryptographic hasher for short identifier strings (FxHash-style multiply-rotate).
///
/// The input is the document's own names, so hash flooding is not a concern; SipHash would cost
/// a noticeable share of the parse time.
#[derive(Default, Clone, Copy)]
pub(crate) struct NameHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl NameHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for NameHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // The multiply-rotate steps leave the low bits weak, and hashbrown picks buckets from
        // them; the murmur3 finalizer spreads every input bit over the whole word.
        let mut h = self.hash;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_the_same_allocation_for_equal_strings() {
        let mut interner = Interner::default();
        let a = interner.intern("Microsoft.Dynamics.OData.Core.V1.LabelId");
        let b = interner.intern("Microsoft.Dynamics.OData.Core.V1.LabelId");
        let c = interner.intern("Microsoft.Dynamics.OData.Core.V1.AXType");
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
    }
}
