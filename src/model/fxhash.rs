//! A small non-cryptographic hasher (the Fx hash of rustc) for the model's internal tables:
//! their keys are names and hashes of names from the scanned tree, never chosen to collide
//! by someone who gains from it, and SipHash cost more than the lookups themselves.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// `HashMap` with [`FxHasher`].
pub(crate) type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
/// `HashSet` with [`FxHasher`].
pub(crate) type FxHashSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// Folds each word into the state with a rotate, xor and multiply.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// The hash of a name for the model's name tables: every candidate a hash finds is checked
/// against the name itself, so only speed and spread matter.
#[inline]
pub(crate) fn hash_str(text: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(text.as_bytes());
    // The length too, so `a` and `a\0` differ; then a final mix, since the tables
    // use the low bits.
    h.add(text.len() as u64);
    let x = h.hash;
    (x ^ (x >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (x >> 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_hash_apart_and_alike() {
        assert_eq!(hash_str("orders-db"), hash_str("orders-db"));
        let names = ["", "a", "a\0", "orders", "orders-db", "orders_db", "ordersdb", "orders-db-2", "step:run"];
        let hashes: FxHashSet<u64> = names.iter().map(|n| hash_str(n)).collect();
        assert_eq!(hashes.len(), names.len(), "distinct names get distinct hashes");
    }

    #[test]
    fn the_maps_find_what_they_hold() {
        let mut m: FxHashMap<String, usize> = FxHashMap::default();
        for i in 0..1000 {
            m.insert(format!("service:s-{i}"), i);
        }
        assert!((0..1000).all(|i| m[&format!("service:s-{i}")] == i));
        assert_eq!(m.get("service:s-1000"), None);
    }
}
