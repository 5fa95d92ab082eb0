//! A small in-memory cache with a time limit, for look-ups that every request repeats (who a
//! token belongs to, which account a slug names). Each node keeps its own; an entry is at most
//! a few seconds stale, and this node forgets an entry at once when it changes it itself.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Values kept for a while, then looked up again.
pub struct TtlCache<K, V> {
    ttl: Duration,
    max: usize,
    map: Mutex<HashMap<K, (V, Instant)>>,
}

impl<K: Hash + Eq + Clone, V: Clone> TtlCache<K, V> {
    /// A cache whose entries live `ttl`, holding at most `max` of them.
    pub fn new(ttl: Duration, max: usize) -> Self {
        Self { ttl, max, map: Mutex::new(HashMap::new()) }
    }

    /// The value, if it is there and fresh.
    pub fn get(&self, key: &K) -> Option<V> {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(key) {
            Some((value, until)) if *until > Instant::now() => Some(value.clone()),
            Some(_) => {
                map.remove(key);
                None
            }
            None => None,
        }
    }

    /// Keeps a value for the cache's lifetime, or until `deadline` if that comes sooner.
    pub fn put(&self, key: K, value: V, deadline: Option<Instant>) {
        let now = Instant::now();
        let until = deadline.map_or(now + self.ttl, |d| d.min(now + self.ttl));
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= self.max {
            map.retain(|_, (_, until)| *until > now);
            if map.len() >= self.max {
                map.clear();
            }
        }
        map.insert(key, (value, until));
    }

    /// Drops an entry (the value changed here).
    pub fn forget(&self, key: &K) {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }

    /// Drops the entries whose value `stale` picks (values changed here in a way their keys do
    /// not show, e.g. every session of one member ended).
    pub fn forget_where(&self, stale: impl Fn(&V) -> bool) {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).retain(|_, (v, _)| !stale(v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_can_be_forgotten() {
        let cache = TtlCache::new(Duration::from_millis(50), 10);
        cache.put("a", 1, None);
        cache.put("b", 2, Some(Instant::now()));
        assert_eq!(cache.get(&"a"), Some(1));
        assert_eq!(cache.get(&"b"), None, "a deadline before the lifetime wins");
        cache.forget(&"a");
        assert_eq!(cache.get(&"a"), None);
        cache.put("c", 3, None);
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(cache.get(&"c"), None);
    }

    #[test]
    fn a_full_cache_makes_room() {
        let cache = TtlCache::new(Duration::from_secs(60), 3);
        for i in 0..10 {
            cache.put(i, i, None);
            assert_eq!(cache.get(&i), Some(i));
        }
        assert!(cache.map.lock().map(|m| m.len()).unwrap_or(99) <= 3);
    }
}
