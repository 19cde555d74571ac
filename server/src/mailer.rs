//! Delivers the outbox through SMTP. Each server instance runs a sender;
//! a message is claimed by one of them at a time (see `store::outbox`), and
//! a failure is tried again later, each wait twice the one before.

use app::passwords::letters::render;
use app::clock::now;
use app::store::{outbox, Db};
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// How often the outbox is looked at.
const POLL: Duration = Duration::from_secs(2);
/// A claimed message is left alone this long, then claimed again if it was not sent.
const LEASE_SECS: i64 = 120;
/// Attempts before a message is marked failed.
const MAX_ATTEMPTS: i64 = 8;
/// How often the operator is reminded of messages waiting with no mail server.
const REMIND: Duration = Duration::from_secs(10 * 60);

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
}

impl Mailer {
    /// From `smtp://host:port` (plain), `smtp://…?tls=required` (STARTTLS)
    /// or `smtps://user:password@host` (TLS).
    pub fn new(smtp_url: &str, from: &str, public_url: &str) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|error| anyhow::anyhow!("SMTP_URL is not a mail server address ({error}); use smtp://HOST:PORT or smtps://USER:PASSWORD@HOST"))?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        let from = from.parse().map_err(|error| anyhow::anyhow!("SMTP_FROM `{from}` is not an address: {error}"))?;
        Ok(Self { transport, from, public_url: public_url.to_string() })
    }

    /// Sends every message that is due, once.
    async fn deliver_due(&self, db: &Db) -> Result<(), sqlx::Error> {
        let mut conn = db.pool.acquire().await?;
        for id in outbox::due(&mut conn, now(), 50).await? {
            let Some(message) = outbox::claim(&mut conn, id, now(), LEASE_SECS).await? else { continue };
            match self.send(&message).await {
                Ok(()) => outbox::sent(&mut conn, id, now()).await?,
                Err((error, permanent)) => {
                    let retry = (!permanent && message.attempts < MAX_ATTEMPTS).then(|| now() + retry_delay(message.attempts));
                    tracing::warn!(message = id, attempts = message.attempts, will_retry = retry.is_some(), %error, "message not sent");
                    outbox::failed(&mut conn, id, &error, retry).await?;
                }
            }
        }
        Ok(())
    }

    /// The error's text, and whether trying again cannot help.
    async fn send(&self, message: &outbox::Claimed) -> Result<(), (String, bool)> {
        let to: Mailbox = message.recipient.parse().map_err(|e| (format!("the address is not valid: {e}"), true))?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&message.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(render(&message.body, &self.public_url, message.link.as_deref()))
            .map_err(|e| (e.to_string(), true))?;
        self.transport.send(email).await.map(|_| ()).map_err(|e| (e.to_string(), e.is_permanent()))
    }
}

/// 30 s after the first failure, then twice as long each time, at most an hour.
fn retry_delay(attempts: i64) -> i64 {
    (30i64 << attempts.clamp(1, 8).saturating_sub(1)).min(3600)
}

/// The sender, for as long as the server runs.
pub async fn run(db: Db, mailer: Option<Mailer>) {
    match mailer {
        Some(mailer) => loop {
            if let Err(error) = mailer.deliver_due(&db).await {
                tracing::error!(%error, "the outbox could not be read");
            }
            tokio::time::sleep(POLL).await;
        },
        None => loop {
            let mut conn = match db.pool.acquire().await {
                Ok(conn) => conn,
                Err(_) => return,
            };
            if let Ok(waiting) = outbox::pending_count(&mut conn).await {
                if waiting > 0 {
                    tracing::warn!(waiting, "SMTP_URL is not set, so messages wait in the outbox; admins see them on the Outbox page");
                }
            }
            drop(conn);
            tokio::time::sleep(REMIND).await;
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_an_hour() {
        let waits: Vec<i64> = (1..=9).map(retry_delay).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    }

    #[test]
    fn refuses_a_mail_server_address_it_cannot_use() {
        assert!(Mailer::new("smtp://127.0.0.1:2525", "Roster <roster@localhost>", "http://x").is_ok());
        let error = Mailer::new("not a url", "Roster <roster@localhost>", "http://x").err().unwrap();
        assert!(error.to_string().contains("SMTP_URL"), "{error}");
        assert!(Mailer::new("smtp://127.0.0.1:2525", "not an address", "http://x").is_err());
    }
}
