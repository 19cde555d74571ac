//! The planner: the rules that span rows and the directory (uniqueness,
//! managers and their cycles, groups, copies, lock-out), pass by pass over
//! the rows. Every lookup is a hash map, so checking is linear in the rows.

use super::{changes, Change, Create, Delete, Plan, Update};
use crate::domain::access::AccessLevel;
use crate::import::columns::{self, Column, Mapping};
use crate::import::directory::{Directory, DirectoryUser, Name};
use crate::import::fields::{self, parse_row, Action, RowInput, MAX_USER_ID};
use crate::import::index::{hash, Index, Key};
use crate::import::issue::{Code, Issue};
use crate::import::Folded;
use crate::pace::{self, Pace, Paced, Steps, Straight, ROWS_A_STEP};
use crate::parallel;
use crate::sheet::{longer_than, Row, Sheet};
use hashbrown::hash_table::{self, HashTable};
use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;

/// Checks a sheet against the directory and plans the changes.
pub fn check(sheet: &Sheet, directory: &Directory) -> Plan {
    pace::straight(check_paced(sheet, directory, &mut Straight))
}

/// As [`check`], offering `pace` a step every few hundred rows of each pass.
pub fn check_paced<'a>(sheet: &'a Sheet, directory: &'a Directory, pace: &'a mut dyn Pace) -> Paced<'a, Plan> {
    Box::pin(async move {
        let mut plan = Plan { version: directory.version, ..Plan::default() };
        // Each pass over the rows counts as one unit a row; indexing the directory one a user.
        let indexing = if directory.index.get(&directory.users, &directory.unique_columns()).is_some() { 0 } else { directory.users.len() };
        let mut steps = Steps::new(pace, sheet.len() * PASSES + indexing, ROWS_A_STEP);
        plan_rows(sheet, directory, &mut steps, &mut plan).await;
        // File-wide problems first, then by row; stable, so a row's problems keep column order.
        plan.errors.sort_by_key(|issue| issue.row.unwrap_or(0));
        plan.warnings.sort_by_key(|issue| issue.row.unwrap_or(0));
        plan
    })
}

/// How many times the check goes over the rows: the Action column, parse
/// and resolve, uniqueness and the file's new names (two, side by side),
/// managers, cycles, and the plan itself.
const PASSES: usize = 7;

async fn plan_rows(sheet: &Sheet, directory: &Directory, steps: &mut Steps<'_>, plan: &mut Plan) {
    let (mapping, heading_issues) = columns::map_headings(&sheet.headings, &directory.columns);
    heading_issues.into_iter().for_each(|issue| plan.push(issue));
    sheet.issues.iter().cloned().for_each(|issue| plan.push(issue));
    if sheet.is_empty() {
        plan.push(Issue::file(Code::EmptyFile, "Users file is empty"));
        return;
    }

    let mut only_deletes = true;
    for row in sheet.rows() {
        steps.advance(1).await;
        only_deletes &= fields::action(&row, &mapping) == Ok(Some(Action::Delete));
    }
    let missing = columns::missing(&mapping, only_deletes);
    let cannot_identify = missing.iter().any(|i| i.column.as_deref() == Some("Email")) && !mapping.has(Column::UserId);
    missing.into_iter().for_each(|issue| plan.push(issue));
    if cannot_identify {
        // No row can be matched to a user, but every bad cell is still shown.
        let mut cell_issues = Vec::new();
        for row in sheet.rows() {
            steps.advance(1).await;
            parse_row(row, &mapping, directory, &mut cell_issues);
        }
        cell_issues.into_iter().for_each(|issue| plan.push(issue));
        return;
    }
    Planner::new(directory, mapping, steps).await.run(sheet, plan, steps).await;
}

/// A user in the directory after the file is applied: index into the
/// directory for existing users, past its end for users the file creates.
type Node = usize;

pub(super) struct Planner<'a> {
    directory: &'a Directory,
    pub(super) mapping: Mapping,
    /// The directory's own index, or one made for this check alone.
    index: Cow<'a, Index>,
    roles: FxHashMap<Folded<'a>, &'a str>,
    groups: FxHashMap<Folded<'a>, &'a str>,
    /// The places of the tenant's unique columns among its columns; the
    /// index finds who holds a value in each.
    unique: Vec<usize>,
}

/// What one valid row does, after its user is found: what the later
/// passes need of the row, not all its cells.
struct Resolved<'r> {
    row: u32,
    /// The column the row names its user by.
    key_column: Column,
    /// Whether the row has a Reports To cell (blank keeps the manager on update).
    has_reports_to: bool,
    notify_if_new: bool,
    password: Option<&'r str>,
    node: Node,
    does: Does<'r>,
}

/// What a row does, with what the later passes need of its user. Users are
/// boxed, so that the lists of rows and of the plan stay small and hand
/// the user on without copying it.
enum Does<'r> {
    Create(Fresh<'r>),
    /// The user as they will be; and by [`Key`], whether each value stays
    /// exactly as the directory has it. Such a value is nobody else's, and
    /// the later passes need not look it up.
    Update(Box<DirectoryUser>, [bool; 3]),
    /// The user as they are, so that an undo can restore them.
    Delete(Box<DirectoryUser>),
}

/// The values of a new user that the later passes read, borrowed from the row.
struct Fresh<'r> {
    user_id: &'r str,
    email: &'r str,
    network_account: &'r str,
    has_phone: bool,
    /// As written; the manager's User ID once the manager is found.
    reports_to: Name,
    /// The values of the tenant's unique columns, in [`Planner::unique`]'s order.
    unique: Vec<Name>,
}

impl Resolved<'_> {
    fn action(&self) -> Action {
        match self.does {
            Does::Create(_) => Action::Create,
            Does::Update(..) => Action::Update,
            Does::Delete(_) => Action::Delete,
        }
    }

    /// The user's User ID, e-mail address or network account after the row.
    fn value(&self, key: Key) -> &str {
        match &self.does {
            Does::Create(fresh) => match key {
                Key::UserId => fresh.user_id,
                Key::Email => fresh.email,
                Key::NetworkAccount => fresh.network_account,
            },
            Does::Update(user, _) | Does::Delete(user) => key.of(user),
        }
    }

    /// The user's value, after the row, of the `nth` of the tenant's unique
    /// columns, which is the tenant's column at `index`.
    fn unique_value(&self, nth: usize, index: usize) -> &str {
        match &self.does {
            Does::Create(fresh) => &fresh.unique[nth],
            Does::Update(user, _) | Does::Delete(user) => &user.values[index],
        }
    }

    fn reports_to(&self) -> &str {
        match &self.does {
            Does::Create(fresh) => &fresh.reports_to,
            Does::Update(user, _) | Does::Delete(user) => &user.reports_to,
        }
    }

    /// For a new user: whether they have no phone number, and whether they
    /// have no way to sign in (no password, invitation or network account).
    fn gaps(&self) -> Option<(bool, bool)> {
        let Does::Create(fresh) = &self.does else { return None };
        let signs_in = self.password.is_some() || self.notify_if_new || !fresh.network_account.is_empty();
        Some((!fresh.has_phone, !signs_in))
    }

    fn keeps(&self, key: Key) -> bool {
        matches!(&self.does, Does::Update(_, keeps) if keeps[key as usize])
    }

    fn set_reports_to(&mut self, user_id: Name) {
        match &mut self.does {
            Does::Create(fresh) => fresh.reports_to = user_id,
            Does::Update(user, _) | Does::Delete(user) => user.reports_to = user_id,
        }
    }
}

/// A row that names a user (by User ID, else e-mail), before the rows
/// before it are known: whether it repeats one of them is decided in order.
struct Named<'r> {
    row: u32,
    key: Folded<'r>,
    /// The key's [`hash`], made once for the directory's index and the file's names.
    hash: u64,
    key_column: Column,
    /// Problems with what the row does, reported unless it repeats a row.
    issues: Vec<Issue>,
    resolved: Option<Resolved<'r>>,
    /// The roles the row gives that the directory lacks.
    /// The first in place: a list for every row, freed on another thread,
    /// is a large share of a check where each row names a role to add.
    new_roles: (Option<&'r str>, Vec<&'r str>),
}

/// A row's cells' problems, and the user it names: what [`Planner::prepare`]
/// finds of a row on its own.
type Prepared<'r> = (Vec<Issue>, Option<Named<'r>>);

/// What [`Planner::resolve`] decides in order, as the rows before are known:
/// repeats, new users' places, and the roles to add.
struct Merge<'r> {
    seen: FirstRows<'r>,
    /// For each user of the directory, the first row that names them (0:
    /// none yet): a row may name a user by User ID and another by e-mail.
    by_user: Vec<u32>,
    list: Vec<Resolved<'r>>,
    next_new: Node,
    new_roles: FxHashMap<Folded<'r>, &'r str>,
    last_new_role: Option<&'r str>,
}

impl<'r> Merge<'r> {
    /// Takes in one chunk's prepared rows, in the file's order.
    fn add(&mut self, prepared: Vec<Prepared<'r>>, plan: &mut Plan) {
        for (cell_issues, named) in prepared {
            cell_issues.into_iter().for_each(|issue| plan.push(issue));
            let Some(named) = named else { continue };
            if let Some(first) = self.seen.first(named.key.0, named.hash, named.row) {
                plan.push(Issue::cell(named.row, named.key_column, Code::DuplicateInFile, format!(
                    "`{}` appears again: row {first} already has this user. Keep one row per user.", named.key.0
                )));
                continue;
            }
            if let Some(first) = named.resolved.as_ref().and_then(|r| self.by_user.get_mut(r.node)) {
                if *first != 0 {
                    plan.push(Issue::cell(named.row, named.key_column, Code::DuplicateInFile, format!(
                        "`{}` is the user of row {} already. Keep one row per user.", named.key.0, *first
                    )));
                    continue;
                }
                *first = named.row;
            }
            named.issues.into_iter().for_each(|issue| plan.push(issue));
            let (first, more) = named.new_roles;
            for role in first.into_iter().chain(more) {
                // Rows that add a role mostly add the same one as the row before.
                if self.last_new_role != Some(role) {
                    self.new_roles.entry(Folded(role)).or_insert(role);
                    self.last_new_role = Some(role);
                }
            }
            if let Some(mut resolved) = named.resolved {
                if resolved.action() == Action::Create {
                    resolved.node = self.next_new;
                    self.next_new += 1;
                }
                self.list.push(resolved);
            }
        }
    }
}

/// The e-mail addresses and network accounts of the rows checked so far.
struct Unique<'a> {
    emails: FirstRows<'a>,
    networks: FirstRows<'a>,
}

/// Names the directory does not know yet: new users, changed addresses.
/// Held as places in the rows, the User ID of row i at 2i and its e-mail
/// at 2i + 1: 4 bytes a name, where a map of the names takes 24. A later
/// row wins.
struct NewNames<'a, 'r> {
    rows: &'a Rows<'r>,
    table: HashTable<u32>,
}

impl<'a, 'r> NewNames<'a, 'r> {
    fn new(rows: &'a Rows<'r>) -> Self {
        // Counted first: growing a map of millions of names rehashes them all
        // in one go, which the pace cannot split.
        let count = rows.kept().map(|r| usize::from(!r.keeps(Key::UserId)) + usize::from(!r.keeps(Key::Email))).sum();
        Self { rows, table: HashTable::with_capacity(count) }
    }

    /// Adds the names of `chunk`, the rows from `first` on.
    fn add(&mut self, first: usize, chunk: &[Resolved]) {
        let (rows, table) = (self.rows, &mut self.table);
        let name = |entry: &u32| name_of(rows, *entry);
        for (index, r) in (first..).zip(chunk) {
            if r.action() == Action::Delete {
                continue;
            }
            for (email, key) in [(0, Key::UserId), (1, Key::Email)] {
                if r.keeps(key) {
                    continue;
                }
                let entry = (index as u32) << 1 | email;
                let value = Folded(name(&entry));
                match table.entry(hash(value.0), |e| Folded(name(e)) == value, |e| hash(name(e))) {
                    hash_table::Entry::Occupied(mut place) => *place.get_mut() = entry,
                    hash_table::Entry::Vacant(place) => {
                        place.insert(entry);
                    }
                }
            }
        }
    }

    /// The node of the file's user with this name; `hash` is the name's.
    fn find(&self, wanted: &str, hash: u64) -> Option<Node> {
        self.table.find(hash, |e| Folded(name_of(self.rows, *e)) == Folded(wanted)).map(|e| self.rows.list[(e >> 1) as usize].node)
    }
}

/// The name a [`NewNames`] entry stands for.
fn name_of<'a>(rows: &'a Rows, entry: u32) -> &'a str {
    rows.list[(entry >> 1) as usize].value(if entry & 1 == 0 { Key::UserId } else { Key::Email })
}

/// The resolved rows, and for every node the row that touches it, if any.
struct Rows<'r> {
    list: Vec<Resolved<'r>>,
    slot: Vec<Option<u32>>,
}

impl<'r> Rows<'r> {
    fn of(&self, node: Node) -> Option<&Resolved<'r>> {
        self.slot.get(node).copied().flatten().map(|i| &self.list[i as usize])
    }

    fn deleted(&self, node: Node) -> bool {
        self.of(node).is_some_and(|r| r.action() == Action::Delete)
    }

    fn kept(&self) -> impl Iterator<Item = &Resolved<'r>> {
        self.list.iter().filter(|r| r.action() != Action::Delete)
    }
}

/// Names in any case, each with the first row that has it. The caller
/// hashes a name once, for this and for the directory's index alike.
struct FirstRows<'r> {
    /// In the order first seen: written in turn, read only to compare.
    names: Vec<(Folded<'r>, u32)>,
    /// Places in `names`: the table, read at random, takes 4 bytes a name
    /// where a name and its row would take 24.
    table: HashTable<u32>,
}

impl<'r> FirstRows<'r> {
    fn with_capacity(capacity: usize) -> Self {
        Self { names: Vec::with_capacity(capacity), table: HashTable::with_capacity(capacity) }
    }

    /// The row that has `name` first, where an earlier row has it; else
    /// `row` is now that row.
    fn first(&mut self, name: &'r str, hash: u64, row: u32) -> Option<u32> {
        let names = &self.names;
        match self.table.entry(hash, |at| names[*at as usize].0 == Folded(name), |at| crate::import::index::hash(names[*at as usize].0 .0)) {
            hash_table::Entry::Occupied(first) => Some(names[*first.get() as usize].1),
            hash_table::Entry::Vacant(slot) => {
                slot.insert(names.len() as u32);
                self.names.push((Folded(name), row));
                None
            }
        }
    }
}

impl<'a> Planner<'a> {
    pub(super) async fn new(directory: &'a Directory, mapping: Mapping, steps: &mut Steps<'_>) -> Self {
        let unique = directory.unique_columns();
        let index = directory.index.get_or_build(&directory.users, &unique, steps).await;
        let names = |list: &'a [String]| list.iter().map(|n| (Folded(n), n.as_str())).collect();
        Self { directory, mapping, index, roles: names(&directory.roles), groups: names(&directory.groups), unique }
    }

    fn find(&self, key: Key, value: &str) -> Option<Node> {
        self.find_hashed(key, value, hash(value))
    }

    /// As [`Self::find`], where the caller has the value's [`hash`] already.
    fn find_hashed(&self, key: Key, value: &str, hash: u64) -> Option<Node> {
        self.index.find(&self.directory.users, key, value, hash)
    }

    /// The user with this User ID, else this e-mail address; `hash` is the value's.
    fn existing(&self, value: &str, hash: u64) -> Option<Node> {
        self.find_hashed(Key::UserId, value, hash).or_else(|| self.find_hashed(Key::Email, value, hash))
    }

    fn user_id(&self, rows: &Rows, node: Node) -> Name {
        rows.of(node).map_or_else(|| self.directory.users[node].user_id.clone(), |r| r.value(Key::UserId).into())
    }

    async fn run(&self, sheet: &Sheet, plan: &mut Plan, steps: &mut Steps<'_>) {
        let mut rows = self.resolve(sheet, plan, steps).await;
        let managers = self.check_unique_and_managers(&mut rows, plan, steps).await;
        self.check_cycles(&rows, &managers, plan, steps).await;
        self.check_reports(&rows, &managers, plan);
        drop(managers); // freed before the plan is built
        self.collect(rows, plan, steps).await;
    }

    /// Checks each row's cells, finds its user, decides create or update,
    /// and builds the user as they will be. Rows are parsed a chunk at a
    /// time, in parallel where there are cores, and only what later passes
    /// need is kept; what depends on the rows before (duplicates, new
    /// users' places) is decided in order.
    async fn resolve<'r>(&self, sheet: &'r Sheet, plan: &mut Plan, steps: &mut Steps<'_>) -> Rows<'r> {
        let mut merge = Merge {
            seen: FirstRows::with_capacity(sheet.len()),
            by_user: vec![0; self.directory.users.len()],
            list: Vec::with_capacity(sheet.len()),
            next_new: self.directory.users.len(),
            new_roles: FxHashMap::default(),
            last_new_role: None,
        };
        let all: Vec<Row<'r>> = sheet.rows().collect();
        let mut prepared = Vec::new();
        for chunk in all.chunks(parallel::CHUNK) {
            steps.advance(chunk.len()).await;
            // The chunk before is merged in order while the other cores
            // prepare this one: merging alone left a core idle.
            let before = std::mem::take(&mut prepared);
            let prepare = || parallel::map(chunk, parallel::ROWS_A_THREAD, |row| self.prepare(*row));
            prepared = parallel::join(|| merge.add(before, plan), prepare).1;
        }
        merge.add(prepared, plan);
        let Merge { list, next_new, new_roles, .. } = merge;
        let mut slot = vec![None; next_new];
        for (index, r) in list.iter().enumerate() {
            slot[r.node] = Some(index as u32);
        }
        plan.new_roles = new_roles.into_values().map(str::to_string).collect();
        plan.new_roles.sort();
        Rows { list, slot }
    }

    /// One row on its own: its cells' problems, and the user it names.
    fn prepare<'r>(&self, row: Row<'r>) -> Prepared<'r> {
        let mut cell_issues = Vec::new();
        let input = parse_row(row, &self.mapping, self.directory, &mut cell_issues);
        let named = input.key().map(|key| {
            let key_column = if input.user_id.is_some() { Column::UserId } else { Column::Email };
            let (hash, mut issues) = (hash(key.0), Vec::new());
            let resolved = self.decide(&input, (key, hash), key_column, &mut issues);
            let new_roles = match (&resolved, &input.roles) {
                (Some(r), Some(roles)) if r.action() != Action::Delete => {
                    let mut new = roles.iter().copied().filter(|role| !self.roles.contains_key(&Folded(role)));
                    (new.next(), new.collect())
                }
                _ => (None, Vec::new()),
            };
            Named { row: input.row, key, hash, key_column, issues, resolved, new_roles }
        });
        (cell_issues, named)
    }

    /// What the row does to the user it names, if it can.
    fn decide<'r>(&self, input: &RowInput<'r>, (key, hash): (Folded<'r>, u64), key_column: Column, issues: &mut Vec<Issue>) -> Option<Resolved<'r>> {
        let (row, shown) = (input.row, key.0);
        let found = self.find_hashed(if input.user_id.is_some() { Key::UserId } else { Key::Email }, shown, hash);
        if let Some(tenant) = input.tenant {
            if Folded(tenant.trim()) != Folded(self.directory.tenant.trim()) {
                issues.push(Issue::cell(row, Column::Tenant, Code::OtherTenant, format!(
                    "`{tenant}` is not your organisation ({}). Remove the row or correct the Tenant.", self.directory.tenant
                )));
                return None;
            }
        }
        let action = input.action.unwrap_or(if found.is_some() { Action::Update } else { Action::Create });
        match (action, found) {
            (Action::Create, Some(_)) => {
                issues.push(Issue::cell(row, key_column, Code::AlreadyExists, format!(
                    "A user `{shown}` exists already. To change them, write update or leave Action blank."
                )));
                return None;
            }
            (Action::Update | Action::Delete, None) => {
                issues.push(Issue::cell(row, key_column, Code::NotFound, format!(
                    "There is no user `{shown}`. Check the spelling, or write create to add them."
                )));
                return None;
            }
            _ => {}
        }
        let does = match found {
            Some(node) if action == Action::Delete => {
                if self.is_acting_admin(node) {
                    issues.push(Issue::cell(row, key_column, Code::SelfLockout, "You cannot delete yourself. Another admin can."));
                }
                Does::Delete(Box::new(self.directory.users[node].clone()))
            }
            _ if !self.check_row(input, found, issues) => return None,
            Some(node) => {
                let (user, own) = (self.build(input, found), &self.directory.users[node]);
                let keeps = [user.user_id == own.user_id, user.email == own.email, user.network_account == own.network_account];
                Does::Update(user, keeps)
            }
            None => {
                let email = input.email?;
                if input.user_id.is_none() && !self.email_serves_as_user_id(row, email, hash, issues) {
                    return None;
                }
                Does::Create(Fresh {
                    user_id: input.user_id.unwrap_or(email),
                    email,
                    network_account: input.network_account.unwrap_or_default(),
                    has_phone: input.phone.is_some_and(|phone| !phone.is_empty()),
                    reports_to: input.reports_to.unwrap_or_default().into(),
                    unique: self.unique.iter().map(|index| self.own_value(input, *index, None)).collect(),
                })
            }
        };
        Some(Resolved {
            row,
            key_column,
            has_reports_to: input.reports_to.is_some(),
            notify_if_new: input.notify_if_new,
            password: input.password,
            // A new user's place is given in row order, once the row is known not to repeat another.
            node: found.unwrap_or(usize::MAX),
            does,
        })
    }

    /// A new user without a User ID gets their e-mail address as one, if it
    /// is short enough and no other user has it as theirs. `hash` is the
    /// address's. User IDs are never freed within a file: the writes find
    /// users by them.
    fn email_serves_as_user_id(&self, row: u32, email: &str, hash: u64, issues: &mut Vec<Issue>) -> bool {
        let problem = if longer_than(email, MAX_USER_ID) {
            format!("The User ID is blank, so it would be the e-mail address, which is longer than {MAX_USER_ID} characters. Write a User ID.")
        } else if let Some(owner) = self.find_hashed(Key::UserId, email, hash) {
            format!("The User ID is blank, so it would be `{email}`, which is the User ID of {} already. Write another User ID.", self.directory.users[owner].email)
        } else {
            return true;
        };
        issues.push(Issue::cell(row, Column::UserId, Code::InvalidUserId, problem));
        false
    }

    fn is_acting_admin(&self, node: Node) -> bool {
        let Some(acting) = self.directory.acting_user.as_deref() else { return false };
        node < self.directory.users.len() && Folded(acting) == Folded(&self.directory.users[node].user_id)
    }

    /// The row's problems that depend on the user it names and on the
    /// directory. False where the row makes no user at all.
    /// `found` is the user updated; none, a user created.
    fn check_row(&self, input: &RowInput, found: Option<Node>, issues: &mut Vec<Issue>) -> bool {
        let row = input.row;
        let existing = found.map(|node| &self.directory.users[node]);
        if existing.is_none() {
            if input.email.is_none() {
                return false;
            }
            match input.last_name {
                Some(last) if !last.is_empty() => {}
                _ if !self.mapping.has(Column::LastName) => return false,
                _ => {
                    issues.push(Issue::cell(row, Column::LastName, Code::Required, "A new user needs a last name."));
                    return false;
                }
            }
        }
        let network_account = input.network_account.or(existing.map(|u| u.network_account.as_str())).unwrap_or_default();
        if input.password.is_some() && !network_account.is_empty() {
            issues.push(Issue::cell(row, Column::Password, Code::PasswordNotAllowed, "A user with a Network Account signs in through the network: leave Password blank."));
        }
        for name in input.groups.iter().flatten().filter(|name| !self.groups.contains_key(&Folded(name))) {
            issues.push(Issue::cell(row, Column::Groups, Code::UnknownGroup, format!(
                "The group `{name}` does not exist. Create it on the Groups page first, or correct the name."
            )));
        }
        if let Some(source) = input.copy_from.filter(|source| self.existing(source, hash(source)).is_none()) {
            issues.push(Issue::cell(row, Column::CopyFrom, Code::UnknownCopySource, format!(
                "There is no user `{source}` to copy from. Give the User ID or e-mail of an existing user."
            )));
        }
        if let Some(me) = found.filter(|&node| self.is_acting_admin(node)).map(|node| &self.directory.users[node]) {
            let active = input.active.unwrap_or(me.active);
            if !active || input.access.unwrap_or(me.access) != AccessLevel::Admin {
                let column = if active { Column::AccessLevel } else { Column::Active };
                issues.push(Issue::cell(row, column, Code::SelfLockout, "You cannot block yourself or remove your own Admin access. Another admin can."));
            }
            // A network account takes the place of the password, and Roster has no network sign-in.
            if me.network_account.is_empty() && !network_account.is_empty() {
                issues.push(Issue::cell(row, Column::NetworkAccount, Code::SelfLockout, "You cannot give yourself a Network Account: it ends your password, and with it your sign-in. Another admin can."));
            }
        }
        for (index, column) in self.directory.columns.iter().enumerate().filter(|(_, column)| column.required) {
            let (given, present) = (input.values.get(index).and_then(Option::as_ref), self.mapping.own(index).is_some());
            match (existing, given) {
                // A bad cell is reported as such, not as missing too.
                (None, None) if present => {}
                (None, _) if self.own_value(input, index, None).is_empty() => {
                    issues.push(Issue::own(row, column, Code::Required, format!("{} is required: give the new user a value.", column.name)));
                }
                // A user who had no value (the column came after them) keeps having none.
                (Some(user), Some(value)) if value.is_empty() && !user.values[index].is_empty() => {
                    issues.push(Issue::own(row, column, Code::Required, format!("{} is required: a user's value may be changed but not cleared.", column.name)));
                }
                _ => {}
            }
        }
        true
    }

    /// The user's value in the tenant's column at `index` after the row:
    /// what the cell gives; else, for a new user, the column's default;
    /// else the value they have. `found` is the user updated; none, a user created.
    fn own_value(&self, input: &RowInput, index: usize, found: Option<Node>) -> Name {
        let given = input.values.get(index).and_then(Option::as_ref);
        match (given, found) {
            (Some(value), None) if value.is_empty() => self.directory.columns[index].blank().into(),
            (Some(value), _) => value.clone(),
            (None, None) => self.directory.columns[index].blank().into(),
            (None, Some(node)) => self.directory.users[node].values[index].clone(),
        }
    }

    /// The user after a row that [`Self::check_row`] passed: the columns
    /// present replace values; blank cells clear them, except where SPEC
    /// says blank keeps them. `found` is the user updated; none, a user created.
    pub(super) fn build(&self, input: &RowInput, found: Option<Node>) -> Box<DirectoryUser> {
        let mut user = Box::new(match found {
            None => DirectoryUser::new(self.directory),
            Some(node) => self.directory.users[node].clone(),
        });
        if found.is_none() {
            let email = input.email.unwrap_or_default();
            user.email = email.into();
            user.user_id = input.user_id.unwrap_or(email).into();
        } else if let Some(email) = input.email {
            user.email = email.into();
        }
        let set = |slot: &mut Name, value: Option<&str>| {
            if let Some(value) = value {
                *slot = value.into();
            }
        };
        set(&mut user.first_name, input.first_name);
        if input.last_name.is_some_and(|l| !l.is_empty()) {
            set(&mut user.last_name, input.last_name);
        }
        set(&mut user.title, input.title);
        set(&mut user.phone, input.phone);
        set(&mut user.phone2, input.phone2);
        set(&mut user.network_account, input.network_account);
        set(&mut user.reports_to, input.reports_to);
        set(&mut user.locale, input.locale);
        set(&mut user.task_notification, input.task_notification);
        if let Some(access) = input.access {
            user.access = access;
        }
        if let Some(active) = input.active {
            user.active = active;
        }
        user.has_password |= input.password.is_some();
        if let Some(roles) = &input.roles {
            user.roles = roles.iter().map(|r| Name::from(*self.roles.get(&Folded(r)).unwrap_or(r))).collect();
        }
        if let Some(groups) = &input.groups {
            user.groups = groups.iter().filter_map(|name| self.groups.get(&Folded(name))).map(|name| Name::from(*name)).collect();
        }
        if let Some(from) = input.copy_from.and_then(|source| self.existing(source, hash(source))) {
            let from = &self.directory.users[from];
            if input.copy_roles {
                user.roles.extend(from.roles.iter().cloned());
            }
            if input.copy_groups {
                user.groups.extend(from.groups.iter().cloned());
            }
        }
        dedupe(&mut user.roles);
        dedupe(&mut user.groups);
        for (index, given) in input.values.iter().enumerate() {
            match given {
                // A new user's blank cell is the column's default.
                Some(value) if value.is_empty() && found.is_none() => {}
                Some(value) => user.values[index] = value.clone(),
                None => {}
            }
        }
        user
    }

    /// E-mail addresses and network accounts stay unique, counting what the
    /// file itself frees (deleted users, changed values). `r` is a row that
    /// keeps its user; `seen`, the values of the rows before it.
    fn check_unique<'v>(&self, rows: &Rows<'_>, r: &'v Resolved<'_>, seen: &mut Unique<'v>, issues: &mut Vec<Issue>) {
        let existing = &self.directory.users;
        for (column, key, in_file) in [(Column::Email, Key::Email, &mut seen.emails), (Column::NetworkAccount, Key::NetworkAccount, &mut seen.networks)] {
            let value = r.value(key);
            if value.is_empty() {
                continue;
            }
            let hash = hash(value);
            if let Some(first) = in_file.first(value, hash, r.row) {
                issues.push(Issue::cell(r.row, column, Code::DuplicateInFile, format!(
                    "This {} is also on row {first}. Each user needs their own.", column.name()
                )));
                continue;
            }
            let owner = if r.keeps(key) { None } else { self.find_hashed(key, value, hash) };
            if let Some(owner) = owner {
                // The owner keeps it unless this file deletes them or gives them another.
                let freed = rows.of(owner).is_some_and(|o| o.action() == Action::Delete || Folded(o.value(key)) != Folded(value));
                if owner != r.node && !freed {
                    issues.push(Issue::cell(r.row, column, Code::AlreadyExists, format!(
                        "The {} `{value}` belongs to the user {} already.", column.name(), existing[owner].user_id
                    )));
                }
            }
        }
    }

    /// The tenant's unique columns stay unique as [`Self::check_unique`]
    /// keeps e-mail addresses so: `seen` holds the values of the rows
    /// before `r`, one list a column.
    fn check_own_unique<'v>(&self, rows: &Rows<'_>, r: &'v Resolved<'_>, seen: &mut [FirstRows<'v>], issues: &mut Vec<Issue>) {
        let existing = &self.directory.users;
        for (nth, (index, in_file)) in self.unique.iter().zip(seen.iter_mut()).enumerate() {
            let (column, value) = (&self.directory.columns[*index], r.unique_value(nth, *index));
            if value.is_empty() {
                continue;
            }
            let hash = hash(value);
            if let Some(first) = in_file.first(value, hash, r.row) {
                issues.push(Issue::own(r.row, column, Code::DuplicateInFile, format!(
                    "This {} is also on row {first}. Each user needs their own.", column.name
                )));
                continue;
            }
            // A user who keeps their own value holds it already: no need to look who does.
            let keeps = matches!(&r.does, Does::Update(..)) && existing[r.node].values[*index] == value;
            if let Some(owner) = if keeps { None } else { self.index.find_own(existing, nth, value, hash) } {
                let freed = rows.of(owner).is_some_and(|o| o.action() == Action::Delete || Folded(o.unique_value(nth, *index)) != Folded(value));
                if owner != r.node && !freed {
                    issues.push(Issue::own(r.row, column, Code::AlreadyExists, format!(
                        "The {} `{value}` belongs to the user {} already.", column.name, existing[owner].user_id
                    )));
                }
            }
        }
    }


    /// Checks uniqueness ([`Self::check_unique`]) and resolves Reports To:
    /// a user of this file, else of the directory, not deleted and not the
    /// user themselves. Stores the manager's User ID. Returns, for each
    /// node a row decides, its manager.
    async fn check_unique_and_managers(&self, rows: &mut Rows<'_>, plan: &mut Plan, steps: &mut Steps<'_>) -> Vec<Option<Option<Node>>> {
        let shared: &Rows = rows;
        let mut new_names = NewNames::new(shared);
        let mut seen = Unique { emails: FirstRows::with_capacity(shared.list.len()), networks: FirstRows::with_capacity(0) };
        let mut seen_own: Vec<FirstRows> = self.unique.iter().map(|_| FirstRows::with_capacity(shared.list.len())).collect();
        let (mut issues, mut own_issues) = (Vec::new(), Vec::new());
        for (index, chunk) in shared.list.chunks(parallel::CHUNK).enumerate() {
            steps.advance(2 * chunk.len()).await;
            // Each goes over the rows in order, and waits on memory more
            // than on work: natively they run at once, a core taking the
            // next when it is done.
            let kept = || chunk.iter().filter(|r| r.action() != Action::Delete);
            parallel::join(
                || kept().for_each(|r| self.check_unique(shared, r, &mut seen, &mut issues)),
                || {
                    parallel::join(
                        || new_names.add(index * parallel::CHUNK, chunk),
                        || kept().for_each(|r| self.check_own_unique(shared, r, &mut seen_own, &mut own_issues)),
                    )
                },
            );
            issues.drain(..).chain(own_issues.drain(..)).for_each(|issue| plan.push(issue));
        }
        drop((seen, seen_own));
        let mut decided: Vec<Option<Option<Node>>> = vec![None; rows.slot.len()];
        for chunk in shared.list.chunks(parallel::CHUNK) {
            steps.advance(chunk.len()).await;
            // Each row's manager is looked up on its own, on every core.
            let found = parallel::map(chunk, parallel::ROWS_A_THREAD, |r| self.find_manager(shared, &new_names, r));
            for (r, found) in chunk.iter().zip(found) {
                match found {
                    Some(Ok(manager)) => decided[r.node] = Some(manager),
                    Some(Err(issue)) => plan.push(issue),
                    None => {}
                }
            }
        }
        drop(new_names);
        // Named by e-mail or User ID in the file, kept as the User ID. Set
        // here, not as found, so that no second list of names is held.
        for index in 0..rows.list.len() {
            if let Some(Some(manager)) = decided[rows.list[index].node] {
                let user_id = self.user_id(rows, manager);
                rows.list[index].set_reports_to(user_id);
            }
        }
        decided
    }

    /// The manager row `r` gives its user (none: no manager), if it gives
    /// one; or the problem with the manager it names.
    fn find_manager(&self, rows: &Rows, new_names: &NewNames, r: &Resolved) -> Option<Result<Option<Node>, Issue>> {
        if r.action() == Action::Delete || (!r.has_reports_to && r.action() == Action::Update) {
            return None;
        }
        let wanted = r.reports_to().trim();
        if wanted.is_empty() {
            return Some(Ok(None));
        }
        let hash = hash(wanted);
        let manager = new_names.find(wanted, hash).or_else(|| {
            let existing = self.existing(wanted, hash)?;
            (!rows.deleted(existing)).then_some(existing)
        });
        Some(match manager {
            Some(m) if m == r.node => Err(Issue::cell(r.row, Column::ReportsTo, Code::SelfReference, "A user cannot report to themselves.")),
            Some(m) => Ok(Some(m)),
            None => Err(Issue::cell(r.row, Column::ReportsTo, Code::UnknownManager, format!(
                "There is no user `{wanted}` to report to, in the directory or in this file."
            ))),
        })
    }

    /// A node's manager after the file: what a row decided, else the directory's.
    fn manager(&self, decided: &[Option<Option<Node>>], node: Node) -> Option<Node> {
        match decided[node] {
            Some(manager) => manager,
            None if node < self.directory.users.len() => {
                let name = &self.directory.users[node].reports_to;
                if name.is_empty() { None } else { self.find(Key::UserId, name) }
            }
            None => None,
        }
    }

    /// Each user has at most one manager, so a walk up the chain either ends
    /// or meets a user it met on this walk: linear in the users walked.
    async fn check_cycles(&self, rows: &Rows<'_>, decided: &[Option<Option<Node>>], plan: &mut Plan, steps: &mut Steps<'_>) {
        const NEW: u8 = 0;
        const ON_PATH: u8 = 1;
        const DONE: u8 = 2;
        let mut state = vec![NEW; decided.len()];
        // One walk's nodes; one list for all the walks, not one each.
        let mut path = Vec::new();
        for start in rows.kept().map(|r| r.node) {
            steps.advance(1).await;
            let mut at = Some(start);
            while let Some(node) = at {
                match state[node] {
                    DONE => break,
                    ON_PATH => {
                        let cycle = &path[path.iter().position(|n| *n == node).unwrap_or(0)..];
                        let names: Vec<Name> = cycle.iter().chain([&node]).map(|n| self.user_id(rows, *n)).collect();
                        for member in cycle {
                            if let Some(r) = rows.of(*member) {
                                plan.push(Issue::cell(r.row, Column::ReportsTo, Code::ManagerCycle, format!(
                                    "Reports To goes round in a circle: {}. Someone in it must report elsewhere.", names.join(" → ")
                                )));
                            }
                        }
                        break;
                    }
                    _ => {
                        state[node] = ON_PATH;
                        path.push(node);
                        at = self.manager(decided, node);
                    }
                }
            }
            for node in path.drain(..) {
                state[node] = DONE;
            }
        }
    }

    /// A deleted user must not keep anyone reporting to them.
    fn check_reports(&self, rows: &Rows, decided: &[Option<Option<Node>>], plan: &mut Plan) {
        if !rows.list.iter().any(|r| r.action() == Action::Delete) {
            return;
        }
        let mut reports: FxHashMap<Node, Vec<Node>> = FxHashMap::default();
        for node in (0..decided.len()).filter(|n| !rows.deleted(*n)) {
            if let Some(m) = self.manager(decided, node).filter(|m| rows.deleted(*m)) {
                reports.entry(m).or_default().push(node);
            }
        }
        for r in rows.list.iter().filter(|r| r.action() == Action::Delete) {
            if let Some(reporters) = reports.get(&r.node) {
                let names: Vec<Name> = reporters.iter().take(3).map(|n| self.user_id(rows, *n)).collect();
                let more = reporters.len().saturating_sub(3);
                let others = if more > 0 { format!(" and {more} more") } else { String::new() };
                plan.push(Issue::cell(r.row, r.key_column, Code::HasReports, format!(
                    "{}{others} still report to this user. Give them another manager in this file, or keep this user.", names.join(", ")
                )));
            }
        }
    }

    /// Turns the resolved rows into the plan's lists and warnings.
    async fn collect(&self, rows: Rows<'_>, plan: &mut Plan, steps: &mut Steps<'_>) {
        let creates = rows.list.iter().filter(|r| r.action() == Action::Create).count();
        plan.creates.reserve(creates);
        plan.updates.reserve(rows.list.len() - creates);
        // Counted first: a list that doubles holds both sizes at once.
        let warned: usize = rows.list.iter().filter_map(Resolved::gaps).map(|(a, b)| usize::from(a) + usize::from(b)).sum();
        plan.warnings.reserve(warned);
        let Rows { list, slot } = rows;
        drop(slot); // freed before the plan grows
        let mut list = list.into_iter();
        // The chunk before and its updates' changes, still to be placed.
        let mut compared = (Vec::new(), Vec::new());
        loop {
            let chunk: Vec<Resolved> = list.by_ref().take(parallel::CHUNK).collect();
            steps.advance(chunk.len()).await;
            // Comparing updated users field by field is the pass's work,
            // done in parallel while the chunk before is placed in order.
            let (before, changes_before) = std::mem::take(&mut compared);
            let place = || before.into_iter().zip(changes_before).for_each(|(r, changes)| self.place(r, changes, plan));
            let compare = || parallel::map(&chunk, parallel::ROWS_A_THREAD, |r| match &r.does {
                Does::Update(user, _) => Some(changes(&self.directory.users[r.node], user, r.password.is_some(), &self.directory.columns)),
                _ => None,
            });
            let changes = parallel::join(place, compare).1;
            let done = chunk.is_empty();
            compared = (chunk, changes);
            if done {
                break;
            }
        }
    }

    /// Puts one row in the plan's lists, with its warnings; `changes` are
    /// an update's.
    fn place(&self, r: Resolved, changes: Option<Vec<Change>>, plan: &mut Plan) {
        let (row, password, gaps) = (r.row, r.password.map(str::to_string), r.gaps());
        match r.does {
            Does::Delete(user) => plan.deletes.push(Delete { row, user }),
            Does::Create(fresh) => {
                // A network account signs in through the network: no password to set.
                let invite = r.notify_if_new && fresh.network_account.is_empty();
                let (no_phone, no_sign_in) = gaps.unwrap_or_default();
                if no_phone {
                    plan.push(Issue::cell(row, Column::Phone, Code::NoPhone, "This new user has no phone number."));
                }
                if no_sign_in {
                    plan.push(Issue::cell(row, Column::Password, Code::NoSignIn, "This new user will have no way to sign in: give a password, set Notify If New to TRUE, or give a Network Account."));
                }
                plan.creates.push(Create { row, reports_to: fresh.reports_to, password, invite });
            }
            Does::Update(user, _) => {
                let changes = changes.unwrap_or_default();
                if changes.is_empty() {
                    plan.push(Issue::cell(row, Column::Email, Code::Unchanged, "This row changes nothing."));
                    plan.unchanged.push(row);
                } else {
                    plan.updates.push(Update { row, user, changes, password });
                }
            }
        }
    }
}

/// Keeps the first of names that differ only in case. Short lists (nearly
/// all) are scanned; a long one is hashed.
fn dedupe(names: &mut Vec<Name>) {
    const SHORT: usize = 16;
    if names.len() <= SHORT {
        let mut at = 1;
        while at < names.len() {
            if names[..at].iter().any(|n| Folded(n) == Folded(&names[at])) {
                names.remove(at);
            } else {
                at += 1;
            }
        }
    } else {
        let mut seen = FxHashSet::default();
        let keep: Vec<bool> = names.iter().map(|n| seen.insert(Folded(n))).collect();
        let mut keep = keep.into_iter();
        names.retain(|_| keep.next().unwrap_or(true));
    }
}
