//! The rules that span rows and the directory, and the plan they produce:
//! who is added, updated (field by field), deleted or left unchanged. Every
//! lookup is a hash map, so checking is linear in the rows.

use super::columns::{self, Column, Mapping};
use super::directory::{Directory, DirectoryUser};
use super::fields::{parse_row, Action, RowInput};
use super::issue::{Code, Issue};
use crate::domain::access::AccessLevel;
use crate::sheet::Sheet;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub added: usize,
    pub updated: usize,
    pub deleted: usize,
    pub unchanged: usize,
    pub roles_added: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub field: Column,
    pub old: String,
    pub new: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Create {
    pub row: u32,
    pub user: DirectoryUser,
    /// Hashed before it is stored; never shown or logged.
    pub password: Option<String>,
    pub invite: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Update {
    pub row: u32,
    /// The user as they will be.
    pub user: DirectoryUser,
    pub changes: Vec<Change>,
    pub password: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delete {
    pub row: u32,
    pub user_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The directory version the plan was made against.
    pub version: i64,
    pub creates: Vec<Create>,
    pub updates: Vec<Update>,
    pub deletes: Vec<Delete>,
    pub unchanged: Vec<u32>,
    pub new_roles: Vec<String>,
    pub errors: Vec<Issue>,
    pub warnings: Vec<Issue>,
}

impl Plan {
    pub fn summary(&self) -> Summary {
        Summary {
            added: self.creates.len(),
            updated: self.updates.len(),
            deleted: self.deletes.len(),
            unchanged: self.unchanged.len(),
            roles_added: self.new_roles.len(),
        }
    }

    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// SPEC's result line.
    pub fn result_message(&self) -> String {
        if self.errors.iter().any(|e| e.code == Code::EmptyFile) {
            return "Users file is empty".into();
        }
        let s = self.summary();
        format!(
            "Users Loaded successfully. {} Added, {} Updated, {} Deleted, {} Roles Added.",
            s.added, s.updated, s.deleted, s.roles_added
        )
    }

    fn push(&mut self, issue: Issue) {
        if issue.code.is_warning() {
            self.warnings.push(issue);
        } else {
            self.errors.push(issue);
        }
    }
}

/// Checks a sheet against the directory and plans the changes.
pub fn check(sheet: &Sheet, directory: &Directory) -> Plan {
    check_with_progress(sheet, directory, &mut |_, _| {})
}

/// As [`check`], calling `progress(done, total)` every few thousand rows so a
/// caller can report progress or yield.
pub fn check_with_progress(sheet: &Sheet, directory: &Directory, progress: &mut dyn FnMut(usize, usize)) -> Plan {
    let mut plan = Plan { version: directory.version, ..Plan::default() };
    plan_rows(sheet, directory, progress, &mut plan);
    // File-wide problems first, then by row; stable, so a row's problems keep column order.
    plan.errors.sort_by_key(|issue| issue.row.unwrap_or(0));
    plan.warnings.sort_by_key(|issue| issue.row.unwrap_or(0));
    plan
}

fn plan_rows(sheet: &Sheet, directory: &Directory, progress: &mut dyn FnMut(usize, usize), plan: &mut Plan) {
    let (mapping, heading_issues) = columns::map_headings(&sheet.headings);
    heading_issues.into_iter().for_each(|issue| plan.push(issue));
    sheet.issues.iter().cloned().for_each(|issue| plan.push(issue));
    if sheet.rows.is_empty() {
        plan.push(Issue::file(Code::EmptyFile, "Users file is empty"));
        return;
    }

    let mut cell_issues = Vec::new();
    let total = sheet.rows.len();
    let mut inputs = Vec::with_capacity(total);
    for (done, row) in sheet.rows.iter().enumerate() {
        if done % 4096 == 0 {
            progress(done, total);
        }
        inputs.push(parse_row(row.number, &row.cells, &mapping, directory.min_password_length, &mut cell_issues));
    }
    let only_deletes = inputs.iter().all(|input| input.action == Some(Action::Delete));
    let missing = columns::missing(&mapping, only_deletes);
    let cannot_identify = missing.iter().any(|i| i.column.as_deref() == Some("Email")) && !mapping.has(Column::UserId);
    missing.into_iter().for_each(|issue| plan.push(issue));
    cell_issues.into_iter().for_each(|issue| plan.push(issue));
    if cannot_identify {
        return;
    }
    Planner::new(directory, &mapping).run(&inputs, plan);
    progress(total, total);
}

/// A user in the directory after the file is applied: index into the
/// directory for existing users, past its end for users the file creates.
type Node = usize;

struct Planner<'a> {
    directory: &'a Directory,
    mapping: &'a Mapping,
    by_user_id: HashMap<String, Node>,
    by_email: HashMap<String, Node>,
    by_network: HashMap<String, Node>,
    roles: HashMap<String, &'a str>,
    groups: HashMap<String, &'a str>,
}

/// What one valid row does, after its user is found.
struct Resolved<'r> {
    input: &'r RowInput,
    action: Action,
    node: Node,
    user: DirectoryUser,
}

impl<'a> Planner<'a> {
    fn new(directory: &'a Directory, mapping: &'a Mapping) -> Self {
        let mut by_user_id = HashMap::with_capacity(directory.users.len());
        let mut by_email = HashMap::with_capacity(directory.users.len());
        let mut by_network = HashMap::new();
        for (node, user) in directory.users.iter().enumerate() {
            by_user_id.insert(user.user_id.to_lowercase(), node);
            by_email.insert(user.email.to_lowercase(), node);
            if !user.network_account.is_empty() {
                by_network.insert(user.network_account.to_lowercase(), node);
            }
        }
        let names = |list: &'a [String]| list.iter().map(|n| (n.to_lowercase(), n.as_str())).collect();
        Self {
            directory,
            mapping,
            by_user_id,
            by_email,
            by_network,
            roles: names(&directory.roles),
            groups: names(&directory.groups),
        }
    }

    fn existing(&self, key: &str) -> Option<Node> {
        let key = key.to_lowercase();
        self.by_user_id.get(&key).or_else(|| self.by_email.get(&key)).copied()
    }

    fn run(&self, inputs: &[RowInput], plan: &mut Plan) {
        let resolved = self.resolve(inputs, plan);
        let deleted: HashSet<Node> = resolved.iter().filter(|r| r.action == Action::Delete).map(|r| r.node).collect();
        self.check_unique(&resolved, &deleted, plan);
        let mut resolved = resolved;
        let managers = self.check_managers(&mut resolved, &deleted, plan);
        self.check_reports(&resolved, &deleted, &managers, plan);
        self.collect(resolved, plan);
    }

    /// Finds each row's user, decides create or update, and builds the user
    /// as they will be.
    fn resolve<'r>(&self, inputs: &'r [RowInput], plan: &mut Plan) -> Vec<Resolved<'r>> {
        let mut seen: HashMap<String, u32> = HashMap::with_capacity(inputs.len());
        let mut resolved = Vec::with_capacity(inputs.len());
        let mut next_new = self.directory.users.len();
        for input in inputs {
            let Some(key) = input.key() else { continue };
            let key_column = if input.user_id.is_some() { Column::UserId } else { Column::Email };
            let shown = input.user_id.clone().or_else(|| input.email.as_ref().map(|e| e.to_string())).unwrap_or_default();
            if let Some(first) = seen.insert(key.clone(), input.row) {
                plan.push(Issue::cell(input.row, key_column, Code::DuplicateInFile, format!(
                    "`{shown}` appears again: row {first} already has this user. Keep one row per user."
                )));
                continue;
            }
            if let Some(tenant) = &input.tenant {
                if columns::normalise(tenant) != columns::normalise(&self.directory.tenant) {
                    plan.push(Issue::cell(input.row, Column::Tenant, Code::OtherTenant, format!(
                        "`{tenant}` is not your organisation ({}). Remove the row or correct the Tenant.", self.directory.tenant
                    )));
                    continue;
                }
            }
            let found = match &input.user_id {
                Some(user_id) => self.by_user_id.get(&user_id.to_lowercase()).copied(),
                None => self.by_email.get(&key).copied(),
            };
            let action = input.action.unwrap_or(if found.is_some() { Action::Update } else { Action::Create });
            let node = match (action, found) {
                (Action::Create, Some(_)) => {
                    plan.push(Issue::cell(input.row, key_column, Code::AlreadyExists, format!(
                        "A user `{shown}` exists already. To change them, write update or leave Action blank."
                    )));
                    continue;
                }
                (Action::Update | Action::Delete, None) => {
                    plan.push(Issue::cell(input.row, key_column, Code::NotFound, format!(
                        "There is no user `{shown}`. Check the spelling, or write create to add them."
                    )));
                    continue;
                }
                (Action::Create, None) => {
                    next_new += 1;
                    next_new - 1
                }
                (_, Some(node)) => node,
            };
            if action == Action::Delete {
                if self.is_acting_admin(node) {
                    plan.push(Issue::cell(input.row, key_column, Code::SelfLockout, "You cannot delete yourself. Another admin can.".into()));
                }
                resolved.push(Resolved { input, action, node, user: self.directory.users[node].clone() });
                continue;
            }
            let Some(user) = self.build(input, action, node, plan) else { continue };
            resolved.push(Resolved { input, action, node, user });
        }
        resolved
    }

    fn is_acting_admin(&self, node: Node) -> bool {
        let acting = self.directory.acting_user.as_deref().map(str::to_lowercase);
        node < self.directory.users.len() && acting.as_deref() == Some(&*self.directory.users[node].user_id.to_lowercase())
    }

    /// The user after the row applies: the columns present replace values;
    /// blank cells clear them, except where SPEC says blank keeps them.
    fn build(&self, input: &RowInput, action: Action, node: Node, plan: &mut Plan) -> Option<DirectoryUser> {
        let row = input.row;
        let mut user = match action {
            Action::Create => DirectoryUser::new(self.directory),
            _ => self.directory.users[node].clone(),
        };
        if action == Action::Create {
            let email = input.email.as_ref()?;
            user.email = email.to_string();
            user.user_id = input.user_id.clone().unwrap_or_else(|| email.to_string());
            match input.last_name.as_deref() {
                Some(last) if !last.is_empty() => {}
                _ if !self.mapping.has(Column::LastName) => return None,
                _ => {
                    plan.push(Issue::cell(row, Column::LastName, Code::Required, "A new user needs a last name.".into()));
                    return None;
                }
            }
        } else if let Some(email) = &input.email {
            user.email = email.to_string();
        }
        let set = |slot: &mut String, value: &Option<String>| {
            if let Some(value) = value {
                *slot = value.clone();
            }
        };
        set(&mut user.first_name, &input.first_name);
        if input.last_name.as_deref().is_some_and(|l| !l.is_empty()) {
            set(&mut user.last_name, &input.last_name);
        }
        set(&mut user.title, &input.title);
        set(&mut user.phone, &input.phone);
        set(&mut user.phone2, &input.phone2);
        set(&mut user.network_account, &input.network_account);
        set(&mut user.reports_to, &input.reports_to);
        if let Some(locale) = &input.locale {
            user.locale = locale.clone();
        }
        if let Some(access) = input.access {
            user.access = access;
        }
        if let Some(active) = input.active {
            user.active = active;
        }
        if let Some(choice) = &input.task_notification {
            user.task_notification = choice.clone();
        }
        if input.password.is_some() {
            user.has_password = true;
            if !user.network_account.is_empty() {
                plan.push(Issue::cell(row, Column::Password, Code::PasswordNotAllowed, "A user with a Network Account signs in through the network: leave Password blank.".into()));
            }
        }
        if let Some(roles) = &input.roles {
            user.roles = roles.iter().map(|r| self.roles.get(&r.to_lowercase()).map_or_else(|| r.clone(), |n| n.to_string())).collect();
        }
        if let Some(groups) = &input.groups {
            user.groups.clear();
            for name in groups {
                match self.groups.get(&name.to_lowercase()) {
                    Some(existing) => user.groups.push(existing.to_string()),
                    None => plan.push(Issue::cell(row, Column::Groups, Code::UnknownGroup, format!(
                        "The group `{name}` does not exist. Create it on the Groups page first, or correct the name."
                    ))),
                }
            }
        }
        if let Some(source) = &input.copy_from {
            match self.existing(source) {
                Some(from) => {
                    let from = &self.directory.users[from];
                    if input.copy_roles {
                        user.roles.extend(from.roles.iter().cloned());
                    }
                    if input.copy_groups {
                        user.groups.extend(from.groups.iter().cloned());
                    }
                }
                None => plan.push(Issue::cell(row, Column::CopyFrom, Code::UnknownCopySource, format!(
                    "There is no user `{source}` to copy from. Give the User ID or e-mail of an existing user."
                ))),
            }
        }
        dedupe(&mut user.roles);
        dedupe(&mut user.groups);
        if self.is_acting_admin(node) && (!user.active || user.access != AccessLevel::Admin) {
            let column = if user.active { Column::AccessLevel } else { Column::Active };
            plan.push(Issue::cell(row, column, Code::SelfLockout, "You cannot block yourself or remove your own Admin access. Another admin can.".into()));
        }
        Some(user)
    }

    /// E-mail addresses and network accounts stay unique, counting what the
    /// file itself frees (deleted users, changed addresses).
    fn check_unique(&self, resolved: &[Resolved], deleted: &HashSet<Node>, plan: &mut Plan) {
        let mut final_email: HashMap<Node, String> = HashMap::new();
        let mut final_network: HashMap<Node, String> = HashMap::new();
        for r in resolved.iter().filter(|r| r.action != Action::Delete) {
            final_email.insert(r.node, r.user.email.to_lowercase());
            final_network.insert(r.node, r.user.network_account.to_lowercase());
        }
        let mut in_file: HashMap<(Column, String), u32> = HashMap::new();
        for r in resolved.iter().filter(|r| r.action != Action::Delete) {
            let checks = [
                (Column::Email, r.user.email.to_lowercase(), &self.by_email, &final_email),
                (Column::NetworkAccount, r.user.network_account.to_lowercase(), &self.by_network, &final_network),
            ];
            for (column, value, index, finals) in checks {
                if value.is_empty() {
                    continue;
                }
                if let Some(first) = in_file.insert((column, value.clone()), r.input.row) {
                    plan.push(Issue::cell(r.input.row, column, Code::DuplicateInFile, format!(
                        "This {} is also on row {first}. Each user needs their own.", column.name()
                    )));
                    continue;
                }
                if let Some(&owner) = index.get(&value) {
                    let freed = deleted.contains(&owner) || finals.get(&owner).is_some_and(|v| *v != value);
                    if owner != r.node && !freed {
                        plan.push(Issue::cell(r.input.row, column, Code::AlreadyExists, format!(
                            "The {} `{value}` belongs to the user {} already.", column.name(), self.directory.users[owner].user_id
                        )));
                    }
                }
            }
        }
    }

    /// Resolves Reports To and rejects self-reference, unknown managers and
    /// cycles. Returns each user's manager after the file is applied.
    fn check_managers(&self, resolved: &mut [Resolved], deleted: &HashSet<Node>, plan: &mut Plan) -> Vec<Option<Node>> {
        let existing = self.directory.users.len();
        let total = resolved.iter().map(|r| r.node + 1).max().unwrap_or(0).max(existing);
        let mut managers: Vec<Option<Node>> = vec![None; total];
        for (node, user) in self.directory.users.iter().enumerate() {
            if !user.reports_to.is_empty() {
                managers[node] = self.by_user_id.get(&user.reports_to.to_lowercase()).copied();
            }
        }
        let mut in_file: HashMap<String, Node> = HashMap::new();
        for r in resolved.iter().filter(|r| r.action != Action::Delete) {
            in_file.insert(r.user.user_id.to_lowercase(), r.node);
            in_file.insert(r.user.email.to_lowercase(), r.node);
        }
        let user_ids: HashMap<Node, String> = resolved.iter().map(|r| (r.node, r.user.user_id.clone())).collect();
        let mut row_of: HashMap<Node, u32> = HashMap::new();
        for r in resolved.iter_mut().filter(|r| r.action != Action::Delete) {
            row_of.insert(r.node, r.input.row);
            if r.input.reports_to.is_none() && r.action == Action::Update {
                continue;
            }
            let wanted = r.user.reports_to.trim();
            if wanted.is_empty() {
                managers[r.node] = None;
                continue;
            }
            let key = wanted.to_lowercase();
            let manager = in_file.get(&key).copied().or_else(|| self.existing(&key).filter(|m| !deleted.contains(m)));
            match manager {
                Some(m) if m == r.node => plan.push(Issue::cell(r.input.row, Column::ReportsTo, Code::SelfReference, "A user cannot report to themselves.".into())),
                Some(m) => {
                    managers[r.node] = Some(m);
                    // Named by e-mail or User ID in the file, kept as the User ID.
                    r.user.reports_to = user_ids.get(&m).cloned().unwrap_or_else(|| self.directory.users[m].user_id.clone());
                }
                None => plan.push(Issue::cell(r.input.row, Column::ReportsTo, Code::UnknownManager, format!(
                    "There is no user `{wanted}` to report to, in the directory or in this file."
                ))),
            }
        }
        self.check_cycles(&managers, &row_of, resolved, plan);
        managers
    }

    /// Each user has at most one manager, so a walk up the chain either ends
    /// or returns to a user it met on this walk: linear in the users.
    fn check_cycles(&self, managers: &[Option<Node>], row_of: &HashMap<Node, u32>, resolved: &[Resolved], plan: &mut Plan) {
        const NEW: u8 = 0;
        const ON_PATH: u8 = 1;
        const DONE: u8 = 2;
        let mut state = vec![NEW; managers.len()];
        let name = |node: Node| -> String {
            resolved.iter().find(|r| r.node == node).map_or_else(|| self.directory.users[node].user_id.clone(), |r| r.user.user_id.clone())
        };
        for start in resolved.iter().filter(|r| r.action != Action::Delete).map(|r| r.node) {
            let mut path = Vec::new();
            let mut at = Some(start);
            while let Some(node) = at {
                match state[node] {
                    DONE => break,
                    ON_PATH => {
                        let cycle_from = path.iter().position(|n| *n == node).unwrap_or(0);
                        let cycle = &path[cycle_from..];
                        let names: Vec<String> = cycle.iter().chain([&node]).map(|n| name(*n)).collect();
                        for member in cycle {
                            if let Some(&row) = row_of.get(member) {
                                plan.push(Issue::cell(row, Column::ReportsTo, Code::ManagerCycle, format!(
                                    "Reports To goes round in a circle: {}. Someone in it must report elsewhere.", names.join(" → ")
                                )));
                            }
                        }
                        break;
                    }
                    _ => {
                        state[node] = ON_PATH;
                        path.push(node);
                        at = managers[node];
                    }
                }
            }
            for node in path {
                state[node] = DONE;
            }
        }
    }

    /// A deleted user must not keep anyone reporting to them.
    fn check_reports(&self, resolved: &[Resolved], deleted: &HashSet<Node>, managers: &[Option<Node>], plan: &mut Plan) {
        if deleted.is_empty() {
            return;
        }
        let mut reports: HashMap<Node, Vec<Node>> = HashMap::new();
        for (node, manager) in managers.iter().enumerate() {
            if let Some(m) = manager.filter(|m| deleted.contains(m)) {
                if !deleted.contains(&node) {
                    reports.entry(m).or_default().push(node);
                }
            }
        }
        for r in resolved.iter().filter(|r| r.action == Action::Delete) {
            if let Some(reporters) = reports.get(&r.node) {
                let user_id = |n: &Node| resolved.iter().find(|x| x.node == *n).map_or_else(|| self.directory.users[*n].user_id.clone(), |x| x.user.user_id.clone());
                let names: Vec<String> = reporters.iter().take(3).map(user_id).collect();
                let more = reporters.len().saturating_sub(3);
                let others = if more > 0 { format!(" and {more} more") } else { String::new() };
                let column = if r.input.user_id.is_some() { Column::UserId } else { Column::Email };
                plan.push(Issue::cell(r.input.row, column, Code::HasReports, format!(
                    "{}{others} still report to this user. Give them another manager in this file, or keep this user.", names.join(", ")
                )));
            }
        }
    }

    /// Turns the resolved rows into the plan's lists and warnings.
    fn collect(&self, resolved: Vec<Resolved>, plan: &mut Plan) {
        let mut new_roles: HashMap<String, String> = HashMap::new();
        for r in resolved {
            let row = r.input.row;
            for role in &r.user.roles {
                if !self.roles.contains_key(&role.to_lowercase()) {
                    new_roles.entry(role.to_lowercase()).or_insert_with(|| role.clone());
                }
            }
            match r.action {
                Action::Delete => plan.deletes.push(Delete { row, user_id: r.user.user_id }),
                Action::Create => {
                    let invite = r.input.notify_if_new;
                    if r.user.phone.is_empty() {
                        plan.push(Issue::cell(row, Column::Phone, Code::NoPhone, format!("The new user {} has no phone number.", r.user.user_id)));
                    }
                    if r.input.password.is_none() && !invite && r.user.network_account.is_empty() {
                        plan.push(Issue::cell(row, Column::Password, Code::NoSignIn, format!(
                            "The new user {} will have no way to sign in: give a password, set Notify If New to TRUE, or give a Network Account.", r.user.user_id
                        )));
                    }
                    plan.creates.push(Create { row, user: r.user, password: r.input.password.clone(), invite });
                }
                Action::Update => {
                    let changes = changes(&self.directory.users[r.node], &r.user, r.input.password.is_some());
                    if changes.is_empty() {
                        plan.push(Issue::cell(row, Column::Email, Code::Unchanged, format!("Row {row} changes nothing for {}.", r.user.user_id)));
                        plan.unchanged.push(row);
                    } else {
                        plan.updates.push(Update { row, user: r.user, changes, password: r.input.password.clone() });
                    }
                }
            }
        }
        let mut roles: Vec<String> = new_roles.into_values().collect();
        roles.sort();
        plan.new_roles = roles;
    }
}

fn dedupe(names: &mut Vec<String>) {
    let mut seen = HashSet::new();
    names.retain(|n| seen.insert(n.to_lowercase()));
}

/// The fields that differ, old → new. Lists compare as sets; a new password
/// shows as "set", never as itself.
pub fn changes(old: &DirectoryUser, new: &DirectoryUser, password: bool) -> Vec<Change> {
    let list = |names: &[String]| {
        let mut sorted: Vec<String> = names.to_vec();
        sorted.sort_by_key(|n| n.to_lowercase());
        sorted.join("|")
    };
    let flag = |b: bool| if b { "TRUE" } else { "FALSE" }.to_string();
    let pairs = [
        (Column::Email, old.email.clone(), new.email.clone()),
        (Column::FirstName, old.first_name.clone(), new.first_name.clone()),
        (Column::LastName, old.last_name.clone(), new.last_name.clone()),
        (Column::Title, old.title.clone(), new.title.clone()),
        (Column::Phone, old.phone.clone(), new.phone.clone()),
        (Column::Phone2, old.phone2.clone(), new.phone2.clone()),
        (Column::NetworkAccount, old.network_account.clone(), new.network_account.clone()),
        (Column::Locale, old.locale.clone(), new.locale.clone()),
        (Column::AccessLevel, old.access.to_string(), new.access.to_string()),
        (Column::Active, flag(old.active), flag(new.active)),
        (Column::ReportsTo, old.reports_to.to_lowercase(), new.reports_to.to_lowercase()),
        (Column::Roles, list(&old.roles), list(&new.roles)),
        (Column::Groups, list(&old.groups), list(&new.groups)),
        (Column::TaskNotification, old.task_notification.clone(), new.task_notification.clone()),
    ];
    let mut changes: Vec<Change> = pairs
        .into_iter()
        .filter(|(field, a, b)| if *field == Column::Roles || *field == Column::Groups { a.to_lowercase() != b.to_lowercase() } else { a != b })
        .map(|(field, old, new)| Change { field, old, new })
        .collect();
    if password {
        changes.push(Change { field: Column::Password, old: String::new(), new: "set".into() });
    }
    changes
}
