//! The words of the messages that carry password links, and the links
//! themselves. A link is `/password/<token>`: the token is 256 random bits,
//! and only its SHA-256 is stored.

use crate::model::passwords::LinkKind;
use crate::auth::session::{new_token, token_hash};
use crate::store::{links, outbox};
use sqlx::AnyConnection;

/// Who a message goes to.
pub struct Addressee<'a> {
    pub id: i64,
    pub first_name: &'a str,
    pub user_id: &'a str,
    pub email: &'a str,
}

/// A new link: its path, which goes in the message, and the hash that is kept.
pub struct NewLink {
    pub path: String,
    pub token_hash: String,
}

pub fn new_link() -> NewLink {
    let token = new_token();
    NewLink { token_hash: token_hash(&token), path: format!("/password/{token}") }
}

/// A user who never had a password gets an invitation, others a reset.
pub fn kind_for(has_password: bool) -> LinkKind {
    if has_password { LinkKind::Reset } else { LinkKind::Invitation }
}

/// The subject and the body (with `{link}` where the link goes).
pub fn letter(kind: LinkKind, tenant: &str, inviter: Option<&str>, to: &Addressee) -> (String, String) {
    let hello = if to.first_name.trim().is_empty() { "Hello,".to_string() } else { format!("Hello {},", to.first_name.trim()) };
    match kind {
        LinkKind::Invitation => {
            let who = inviter.map_or_else(|| "An account was created".to_string(), |name| format!("{name} created an account"));
            (
                format!("Your {tenant} account on Roster"),
                format!(
                    "{hello}\n\n{who} for you in {tenant} on Roster. Your user ID is {}.\n\nSet your password to sign in:\n{{link}}\n\n\
                     The link works once and expires in 72 hours. If it has expired, open it anyway to ask for a new one.\n",
                    to.user_id
                ),
            )
        }
        LinkKind::Reset => (
            "Set a new Roster password".to_string(),
            format!(
                "{hello}\n\nA link to set a new password for your account {} in {tenant} on Roster was asked for.\n\n\
                 Set a new password here:\n{{link}}\n\n\
                 The link works once and expires in an hour. If you did not ask for it, ignore this message: your password stays as it is.\n",
                to.user_id
            ),
        ),
    }
}

/// The body with its link in place: `base` is the address users reach
/// Roster at; a message whose link is gone (sent) says so instead.
pub fn render(body: &str, base: &str, link: Option<&str>) -> String {
    match link {
        Some(path) => body.replace("{link}", &format!("{}{path}", base.trim_end_matches('/'))),
        None => body.replace("{link}", "(the link is not kept once the message has left)"),
    }
}

/// The body of a message to an admin as the outbox shows it: without its
/// link, which only the admin's own mailbox gets.
pub fn withheld(body: &str) -> String {
    body.replace("{link}", "(not shown here: a link to an admin's account goes only to their own mailbox)")
}

/// Ends the user's open links, makes a new one and queues its message, in
/// the caller's transaction.
pub async fn issue(conn: &mut AnyConnection, tenant_id: i64, tenant: &str, inviter: Option<&str>, to: &Addressee<'_>, kind: LinkKind, now: i64) -> Result<(), sqlx::Error> {
    links::expire_open(conn, to.id, now).await?;
    let link = new_link();
    links::insert(conn, &link.token_hash, to.id, kind, now).await?;
    let (subject, body) = letter(kind, tenant, inviter, to);
    let letter = outbox::Letter { tenant_id, user_id: to.id, kind: kind.as_str(), recipient: to.email, subject: &subject, body: &body, link: &link.path };
    outbox::queue(conn, &letter, now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kim() -> Addressee<'static> {
        Addressee { id: 1, first_name: "Kim", user_id: "kim", email: "kim@acme.test" }
    }

    #[test]
    fn an_invitation_names_the_tenant_the_inviter_and_carries_the_link() {
        let (subject, body) = letter(LinkKind::Invitation, "Acme", Some("Ann Admin (ann@acme.test)"), &kim());
        assert_eq!(subject, "Your Acme account on Roster");
        assert!(body.starts_with("Hello Kim,"));
        assert!(body.contains("Ann Admin (ann@acme.test) created an account for you in Acme"));
        assert!(body.contains("Your user ID is kim."));
        let sent = render(&body, "https://roster.acme.test/", Some("/password/abc"));
        assert!(sent.contains("\nhttps://roster.acme.test/password/abc\n"), "{sent}");
        assert!(!render(&body, "https://x", None).contains("{link}"));
    }

    #[test]
    fn links_are_random_and_only_their_hash_is_kept() {
        let (a, b) = (new_link(), new_link());
        assert_ne!(a.path, b.path);
        let token = a.path.strip_prefix("/password/").unwrap();
        assert_eq!(token.len(), 64);
        assert_eq!(a.token_hash, token_hash(token));
        assert!(!a.token_hash.contains(token));
    }

    #[test]
    fn users_without_a_password_are_invited_others_reset() {
        assert_eq!(kind_for(false), LinkKind::Invitation);
        assert_eq!(kind_for(true), LinkKind::Reset);
        let (_, body) = letter(LinkKind::Reset, "Acme", None, &kim());
        assert!(body.contains("account kim in Acme") && body.contains("expires in an hour"));
    }
}
