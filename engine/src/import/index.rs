//! The directory's users by User ID, e-mail address and network account,
//! and by their values in the tenant's unique columns.
//! Made on a directory's first check and kept with it: the import page
//! checks the same directory again after every fix, and indexing 100,000
//! users is a tenth of a check.

use super::directory::DirectoryUser;
use super::Folded;
use crate::pace::Steps;
use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;
use std::borrow::Cow;
use std::hash::BuildHasher;
use std::sync::OnceLock;

/// A value that identifies a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    UserId,
    Email,
    NetworkAccount,
}

impl Key {
    const ALL: [Key; 3] = [Key::UserId, Key::Email, Key::NetworkAccount];

    pub(crate) fn of(self, user: &DirectoryUser) -> &str {
        match self {
            Key::UserId => &user.user_id,
            Key::Email => &user.email,
            Key::NetworkAccount => &user.network_account,
        }
    }
}

/// Positions in the directory's users, in tables hashed by the users' own
/// values: it borrows nothing, so the directory can keep it.
#[derive(Debug, Clone, Default)]
pub struct Index {
    tables: [HashTable<u32>; 3],
    /// For each of the tenant's unique columns (its index among the
    /// tenant's columns), the users who hold a value in it.
    own: Vec<(usize, HashTable<u32>)>,
    /// How many users it was made for.
    users: usize,
}

/// The hash of a name as [`Folded`] hashes it.
pub(crate) fn hash(value: &str) -> u64 {
    FxBuildHasher.hash_one(Folded(value))
}

impl Index {
    /// Indexes `users`, and their values in the tenant's `unique` columns,
    /// offering `steps` one unit a user.
    pub(crate) async fn build(users: &[DirectoryUser], unique: &[usize], steps: &mut Steps<'_>) -> Self {
        let mut own: Vec<(usize, HashTable<u32>)> = unique.iter().map(|index| (*index, HashTable::with_capacity(users.len()))).collect();
        let mut tables: [HashTable<u32>; 3] = Default::default();
        tables[0].reserve(users.len(), |_| 0);
        tables[1].reserve(users.len(), |_| 0);
        for (node, user) in users.iter().enumerate() {
            steps.advance(1).await;
            for (table, key) in tables.iter_mut().zip(Key::ALL) {
                let value = key.of(user);
                if !value.is_empty() {
                    table.insert_unique(hash(value), node as u32, |n| hash(key.of(&users[*n as usize])));
                }
            }
            for (index, table) in &mut own {
                let value = &user.values[*index];
                if !value.is_empty() {
                    table.insert_unique(hash(value), node as u32, |n| hash(&users[*n as usize].values[*index]));
                }
            }
        }
        Self { tables, own, users: users.len() }
    }

    /// Whether this index was made for these users and unique columns.
    pub(crate) fn fits(&self, users: &[DirectoryUser], unique: &[usize]) -> bool {
        self.users == users.len() && self.own.iter().map(|(index, _)| *index).eq(unique.iter().copied())
    }

    /// A user who holds `value` (any case) in the `nth` of the tenant's
    /// unique columns; `hash` is the value's [`hash`]. The check keeps
    /// values unique, but a directory may hold one twice (a column made
    /// unique while the database had no such rule): then any of them.
    pub(crate) fn find_own(&self, users: &[DirectoryUser], nth: usize, value: &str, hash: u64) -> Option<usize> {
        let (index, table) = self.own.get(nth)?;
        let wanted = Folded(value);
        table.find(hash, |n| Folded(&users[*n as usize].values[*index]) == wanted).map(|n| *n as usize)
    }

    /// The position of the user whose `key` is `value`, in any case.
    /// `hash` is the value's [`hash`], which callers often have already.
    pub(crate) fn find(&self, users: &[DirectoryUser], key: Key, value: &str, hash: u64) -> Option<usize> {
        let wanted = Folded(value);
        let table = &self.tables[key as usize];
        table.find(hash, |n| Folded(key.of(&users[*n as usize])) == wanted).map(|n| *n as usize)
    }
}

/// The index a directory keeps once made. Not part of the directory's value:
/// copies start without it, and it is never sent or compared. A directory's
/// users are not changed after its first check (the page and the server
/// make a new directory for each snapshot); a different number of users
/// makes the check index them afresh all the same.
#[derive(Default)]
pub struct Kept(OnceLock<Index>);

impl Kept {
    pub(crate) fn get(&self, users: &[DirectoryUser], unique: &[usize]) -> Option<&Index> {
        self.0.get().filter(|index| index.fits(users, unique))
    }

    /// The kept index if it fits `users` and the `unique` columns; else one
    /// made now (offering `steps` one unit a user), kept if none is kept yet.
    pub(crate) async fn get_or_build(&self, users: &[DirectoryUser], unique: &[usize], steps: &mut Steps<'_>) -> Cow<'_, Index> {
        if let Some(kept) = self.get(users, unique) {
            return Cow::Borrowed(kept);
        }
        let mut made = Some(Index::build(users, unique, steps).await);
        let kept = self.0.get_or_init(|| made.take().unwrap_or_default());
        made.map_or(Cow::Borrowed(kept), Cow::Owned)
    }
}

impl Clone for Kept {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl PartialEq for Kept {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Kept {}

impl std::fmt::Debug for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() { "Kept(index)" } else { "Kept(none)" })
    }
}
