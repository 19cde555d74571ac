//! New users made again from their rows: the plan keeps only what the
//! check found out about them, since a whole user takes three times the
//! memory of a row.

use super::planner::Planner;
use super::{Create, Created, Plan};
use crate::import::columns;
use crate::import::directory::Directory;
use crate::import::fields::parse_row;
use crate::pace::{self, Steps, Straight, ROWS_A_STEP};
use crate::parallel;
use crate::sheet::Sheet;

/// The users `plan` creates, made again from their rows: `sheet` and
/// `directory` are those the plan was checked with.
pub fn created<'p>(plan: &'p Plan, sheet: &'p Sheet, directory: &'p Directory) -> impl Iterator<Item = Created<'p>> + 'p {
    plan.creates.iter().filter_map(maker(sheet, directory))
}

/// As [`created`], all at once, made on every core (for the commit); none
/// if a row is missing from `sheet`.
pub fn created_all<'p>(plan: &'p Plan, sheet: &'p Sheet, directory: &'p Directory) -> Option<Vec<Created<'p>>> {
    let (make, creates): (_, Vec<&Create>) = (maker(sheet, directory), plan.creates.iter().collect());
    // Collected into the same buffer, so that no second list of users is held.
    parallel::map(&creates, parallel::ROWS_A_THREAD, |create| make(create)).into_iter().collect()
}

/// Makes a new user again from their row.
fn maker<'p>(sheet: &'p Sheet, directory: &'p Directory) -> impl Fn(&'p Create) -> Option<Created<'p>> + Sync + 'p {
    pace::straight(maker_paced(sheet, directory, &mut Steps::new(&mut Straight, 0, ROWS_A_STEP)))
}

/// As [`maker`], for paced work (which must not run [`pace::straight`] within).
pub(super) async fn maker_paced<'p>(sheet: &'p Sheet, directory: &'p Directory, steps: &mut Steps<'_>) -> impl Fn(&'p Create) -> Option<Created<'p>> + Sync + 'p {
    let (mapping, _) = columns::map_headings(&sheet.headings, &directory.columns);
    let planner = Planner::new(directory, mapping, steps).await;
    // The check reported the rows' problems; a row missing here means the plan was checked from another sheet.
    move |create| {
        let input = parse_row(sheet.row(create.row)?, &planner.mapping, directory, &mut Vec::new());
        let mut user = planner.build(&input, None);
        user.reports_to = create.reports_to.clone();
        Some(Created { create, user: *user })
    }
}
