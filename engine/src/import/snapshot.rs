//! The directory as the import page receives and keeps it: CBOR values one
//! after another, the directory without its users first, then their count,
//! then the users a thousand at a time. The page decodes it in paced steps
//! (decoding a big directory at once would hold the page up) and keeps
//! the bytes as they came for checking offline, without encoding them again.
//! It indexes the users then too, while the admin picks a file, so that the
//! first check does not wait for that.

use super::{Directory, DirectoryUser};
use crate::pace::{Pace, Paced, Steps};

const CHUNK: usize = 1000;

/// Encoded bytes, sent and kept as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot(pub Vec<u8>);

impl Snapshot {
    pub fn encode(directory: &Directory) -> Self {
        let header = Directory {
            version: directory.version,
            tenant: directory.tenant.clone(),
            default_locale: directory.default_locale.clone(),
            min_password_length: directory.min_password_length,
            acting_user: directory.acting_user.clone(),
            users: Vec::new(),
            roles: directory.roles.clone(),
            groups: directory.groups.clone(),
            columns: directory.columns.clone(),
            index: Default::default(),
        };
        let mut bytes = Vec::new();
        // Writing into a Vec cannot fail, nor can encoding these types.
        let _ = ciborium::into_writer(&header, &mut bytes);
        let _ = ciborium::into_writer(&directory.users.len(), &mut bytes);
        for chunk in directory.users.chunks(CHUNK) {
            let _ = ciborium::into_writer(chunk, &mut bytes);
        }
        Self(bytes)
    }

    /// The directory with its users indexed, offering `pace` a step after
    /// each thousand users decoded and each thousand indexed; `None` if the
    /// bytes are not a snapshot.
    pub fn decode<'a>(&'a self, pace: &'a mut dyn Pace) -> Paced<'a, Option<Directory>> {
        Box::pin(async move {
            let mut rest = &self.0[..];
            let mut directory: Directory = ciborium::from_reader(&mut rest).ok()?;
            let count: usize = ciborium::from_reader(&mut rest).ok()?;
            // The count is only trusted as far as the bytes could hold that many users.
            directory.users = Vec::with_capacity(count.min(rest.len() / 8));
            let mut steps = Steps::new(pace, count.saturating_mul(2), CHUNK);
            while directory.users.len() < count {
                let chunk: Vec<DirectoryUser> = ciborium::from_reader(&mut rest).ok()?;
                if chunk.is_empty() {
                    return None;
                }
                steps.advance(chunk.len()).await;
                directory.users.extend(chunk);
            }
            if directory.users.len() != count || !rest.is_empty() {
                return None;
            }
            directory.index.get_or_build(&directory.users, &directory.unique_columns(), &mut steps).await;
            Some(directory)
    
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pace::{straight, Record, Straight};

    fn directory(users: usize) -> Directory {
        let user = |i: usize| DirectoryUser { user_id: format!("u{i}").into(), email: format!("u{i}@x.org").into(), ..DirectoryUser::new(&Directory::default()) };
        Directory { version: 7, tenant: "Acme".into(), roles: vec!["Sales".into()], users: (0..users).map(user).collect(), ..Directory::default() }
    }

    #[test]
    fn a_snapshot_decodes_to_the_directory_in_steps_of_a_thousand_users() {
        let original = directory(2500);
        let snapshot = Snapshot::encode(&original);
        let mut record = Record::default();
        let decoded = straight(snapshot.decode(&mut record)).unwrap();
        assert_eq!(decoded, original);
        assert!(decoded.index.get(&decoded.users, &[]).is_some(), "indexed before any check");
        assert_eq!(record.0, [(1000, 5000), (2000, 5000), (3000, 5000), (4000, 5000), (5000, 5000)], "decoding, then indexing");
        assert_eq!(straight(Snapshot::encode(&directory(0)).decode(&mut Straight)), Some(directory(0)));
    }

    #[test]
    fn damage_is_refused() {
        let snapshot = Snapshot::encode(&directory(3));
        let mut cut = snapshot.clone();
        cut.0.truncate(cut.0.len() - 5);
        let mut longer = snapshot.clone();
        longer.0.push(0);
        for damaged in [cut, longer, Snapshot(b"not cbor".to_vec())] {
            assert_eq!(straight(damaged.decode(&mut Straight)), None);
        }
    }

    #[test]
    fn a_count_of_users_the_bytes_cannot_hold_is_not_believed() {
        let mut bytes = Vec::new();
        ciborium::into_writer(&directory(0), &mut bytes).unwrap();
        ciborium::into_writer(&u64::MAX, &mut bytes).unwrap();
        // Neither reserved for nor waited on: the missing users end the decoding.
        assert_eq!(straight(Snapshot(bytes).decode(&mut Straight)), None);
    }
}
