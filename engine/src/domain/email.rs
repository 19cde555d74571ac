//! E-mail addresses, parsed once at the boundary.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A syntactically valid address. Comparison in the directory is
/// case-insensitive, through [`Email::key`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("an e-mail address is required")]
    Missing,
    #[error("`{0}` is not a valid e-mail address: write it as name@example.com")]
    Invalid(String),
}

impl Email {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        Self::check(input).map(|value| Self(value.to_string()))
    }

    /// Checks an address without copying it; returns it trimmed.
    pub fn check(input: &str) -> Result<&str, EmailError> {
        let value = input.trim();
        if value.is_empty() {
            return Err(EmailError::Missing);
        }
        let invalid = || EmailError::Invalid(value.to_string());
        let (local, domain) = value.rsplit_once('@').ok_or_else(invalid)?;
        // One pass over the characters, which also refuses `..` and a
        // leading dot (as if a dot came before): a substring search costs
        // more to set up than the whole check.
        let mut previous = '.';
        let local_ok = local.len() <= 64
            && !local.ends_with('.')
            && local.chars().all(|c| {
                let allowed = match u8::try_from(c) {
                    Ok(byte) if byte.is_ascii() => byte.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~.".contains(&byte),
                    _ => c.is_alphanumeric(),
                };
                let after_dot = c == '.' && previous == '.';
                previous = c;
                allowed && !after_dot
            })
            && !local.is_empty();
        let domain_ok = domain.len() <= 253 && valid_domain(domain);
        if local_ok && domain_ok && value.len() <= 254 {
            Ok(value)
        } else {
            Err(invalid())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form that uniqueness is checked on: `Ann@X.org` and `ann@x.org` are one address.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Two or more labels of 1 to 63 bytes, letters, digits and inner
/// hyphens, in one pass: a split on the dots costs more to set up.
fn valid_domain(domain: &str) -> bool {
    let (mut labels, mut len, mut previous) = (1, 0, '.');
    for c in domain.chars() {
        if c == '.' {
            if len == 0 || previous == '-' {
                return false;
            }
            (labels, len) = (labels + 1, 0);
        } else {
            let allowed = c.is_ascii_alphanumeric() || (c == '-' && len > 0) || (!c.is_ascii() && c.is_alphanumeric());
            len += c.len_utf8();
            if !allowed || len > 63 {
                return false;
            }
        }
        previous = c;
    }
    labels > 1 && len > 0 && previous != '-'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_trims_them() {
        let email = Email::parse("  Ann.Lee+hr@Example.co.uk ").unwrap();
        assert_eq!(email.as_str(), "Ann.Lee+hr@Example.co.uk");
        assert_eq!(email.key(), "ann.lee+hr@example.co.uk");
        assert!(Email::parse("zoë@exämple.de").is_ok());
        assert!(Email::parse("a.b.c@x.org").is_ok(), "single dots between characters");
        assert!(Email::parse("a@x-y.z-1.org").is_ok(), "inner hyphens");
        let longest = format!("a@{}.org", "x".repeat(63));
        assert!(Email::parse(&longest).is_ok());
        assert!(Email::parse(&longest.replacen('x', "xx", 1)).is_err(), "a label of 64 bytes");
    }

    #[test]
    fn refuses_malformed_addresses() {
        for bad in [
            "ann", "ann@", "@x.org", "ann@x", "ann@@x.org", "ann lee@x.org", "ann@x..org", "ann..lee@x.org", "ann\u{a0}@x.org",
            ".ann@x.org", "ann.@x.org", "ann@-x.org", "ann@x.org-", "ann@x-.org", "ann@.x.org", "ann@x.org.", "ann@x.-org",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::Invalid(bad.to_string())), "{bad}");
        }
        assert_eq!(Email::parse("   "), Err(EmailError::Missing));
    }

    #[test]
    fn the_message_names_the_value_and_the_fix() {
        let message = Email::parse("ann@x").unwrap_err().to_string();
        assert!(message.contains("`ann@x`") && message.contains("name@example.com"));
    }
}
