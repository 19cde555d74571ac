//! Names that an admin types: organisations, groups and roles, and the
//! length that names (and the name columns of a file) may have.

/// The most characters a name may have: an organisation, a group or role,
/// and a user's first name, last name and title.
pub const MAX_NAME: usize = 100;

/// A role name as a file's Roles cell lists it: one word of at most
/// [`MAX_NAME`] characters (the cell's separators are already split off).
pub fn is_role_name(name: &str) -> bool {
    name.chars().count() <= MAX_NAME && !name.chars().any(char::is_whitespace)
}

/// A tenant's name: trimmed, 1 to 100 characters.
pub fn organisation(input: &str) -> Result<&str, String> {
    let name = input.trim();
    match name.chars().count() {
        0 => Err("Enter the name of the organisation.".into()),
        1..=MAX_NAME => Ok(name),
        _ => Err(format!("An organisation name may have at most {MAX_NAME} characters.")),
    }
}

/// A group's name: trimmed, 1 to 100 characters, and free of `|` and `;`,
/// which separate names in the spreadsheet's Groups column.
pub fn group(input: &str) -> Result<&str, String> {
    listed("group", input, |c| c == '|' || c == ';', "contains `|` or `;`, which separate names in a spreadsheet; choose another name")
}

/// A role's name: as a group's, and one word, as the spreadsheet's Roles
/// column demands.
pub fn role(input: &str) -> Result<&str, String> {
    listed("role", input, |c| c.is_whitespace() || c == '|' || c == ';', "has a space, `|` or `;`; role names are one word, such as `Payroll-Admin`")
}

/// A name that a spreadsheet cell lists among others.
fn listed<'a>(what: &str, input: &'a str, bad: fn(char) -> bool, why: &str) -> Result<&'a str, String> {
    let name = input.trim();
    if name.is_empty() {
        Err(format!("A {what} name must not be blank."))
    } else if name.chars().count() > MAX_NAME {
        Err(format!("The {what} name `{name}` is longer than {MAX_NAME} characters."))
    } else if name.contains(bad) {
        Err(format!("The {what} name `{name}` {why}."))
    } else {
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisation_names_are_trimmed_and_bounded() {
        assert_eq!(organisation("  Acme Ltd "), Ok("Acme Ltd"));
        assert!(organisation("   ").is_err());
        assert!(organisation(&"x".repeat(101)).is_err());
        assert!(organisation(&"é".repeat(100)).is_ok());
    }

    #[test]
    fn group_names_cannot_hold_list_separators() {
        assert_eq!(group(" Sales "), Ok("Sales"));
        assert!(group("Sales|EMEA").unwrap_err().contains("`Sales|EMEA`"));
        assert!(group("a;b").is_err());
        assert!(group("").is_err());
        assert!(group(&"g".repeat(101)).is_err());
    }

    #[test]
    fn role_names_are_one_word() {
        assert_eq!(role(" Payroll-Admin "), Ok("Payroll-Admin"));
        assert!(role("Payroll Admin").unwrap_err().contains("`Payroll Admin`"));
        assert!(role("a|b").is_err());
        assert!(role("").is_err());
        assert!(role(&"r".repeat(101)).is_err());
    }
}
