//! The password policy. A tenant may raise the minimum length.

pub const DEFAULT_MIN_LENGTH: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeakPassword {
    #[error("the password must have at least {0} characters")]
    TooShort(usize),
    #[error("the password must contain at least one letter and one digit")]
    NeedsLetterAndDigit,
}

/// Checks a new password. The message never repeats the password itself.
pub fn check(password: &str, min_length: usize) -> Result<(), WeakPassword> {
    if password.chars().count() < min_length {
        return Err(WeakPassword::TooShort(min_length));
    }
    let letter = password.chars().any(char::is_alphabetic);
    let digit = password.chars().any(|c| c.is_ascii_digit());
    if letter && digit {
        Ok(())
    } else {
        Err(WeakPassword::NeedsLetterAndDigit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_length_a_letter_and_a_digit() {
        assert_eq!(check("abc1", 8), Err(WeakPassword::TooShort(8)));
        assert_eq!(check("abcdefgh", 8), Err(WeakPassword::NeedsLetterAndDigit));
        assert_eq!(check("12345678", 8), Err(WeakPassword::NeedsLetterAndDigit));
        assert_eq!(check("abcdefg1", 8), Ok(()));
        assert_eq!(check("abcdefg1", 12), Err(WeakPassword::TooShort(12)));
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert_eq!(check("ééééééé1", 8), Ok(()));
        assert_eq!(check("éééééé1", 8), Err(WeakPassword::TooShort(8)));
    }
}
