//! Names that an admin types: organisations and groups.

/// A tenant's name: trimmed, 1 to 100 characters.
pub fn organisation(input: &str) -> Result<&str, String> {
    let name = input.trim();
    match name.chars().count() {
        0 => Err("Enter the name of the organisation.".into()),
        1..=100 => Ok(name),
        _ => Err("An organisation name may have at most 100 characters.".into()),
    }
}

/// A group's name: trimmed, 1 to 100 characters, and free of `|` and `;`,
/// which separate names in the spreadsheet's Groups column.
pub fn group(input: &str) -> Result<&str, String> {
    let name = input.trim();
    if name.is_empty() {
        Err("A group name must not be blank.".into())
    } else if name.chars().count() > 100 {
        Err(format!("The group name `{name}` is longer than 100 characters."))
    } else if name.contains(['|', ';']) {
        Err(format!("The group name `{name}` contains `|` or `;`, which separate names in a spreadsheet; choose another name."))
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
}
