//! A mail server for the tests, on 127.0.0.1: it speaks just enough SMTP
//! to take messages, and keeps each one's text.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    received: Arc<Mutex<Vec<String>>>,
}

impl Receiver {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = received.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, store.clone()));
            }
        });
        Self { url, received }
    }

    pub fn messages(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }

    /// Waits (up to 20 s) until `count` messages have come, then a little
    /// longer to see that no more do.
    pub async fn expect(&self, count: usize) -> Vec<String> {
        for _ in 0..200 {
            if self.messages().len() >= count {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        // The sender looks at the outbox every 2 s: one more round.
        tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
        let messages = self.messages();
        assert_eq!(messages.len(), count, "messages received: {messages:#?}");
        messages
    }
}

async fn session(stream: tokio::net::TcpStream, store: Arc<Mutex<Vec<String>>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let _ = write.write_all(b"220 test ESMTP\r\n").await;
    while let Ok(Some(line)) = lines.next_line().await {
        let verb = line.split(' ').next().unwrap_or_default().to_uppercase();
        let answer: &[u8] = match verb.as_str() {
            "DATA" => {
                let _ = write.write_all(b"354 go on\r\n").await;
                let mut text = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    if line == "." {
                        break;
                    }
                    text.push_str(&line);
                    text.push('\n');
                }
                store.lock().unwrap().push(text);
                b"250 queued\r\n"
            }
            "QUIT" => {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            }
            _ => b"250 OK\r\n",
        };
        if write.write_all(answer).await.is_err() {
            return;
        }
    }
}

/// The token of the password link in a message (quoted-printable soft
/// breaks undone).
pub fn token_in(message: &str) -> String {
    let text = message.replace("=\n", "");
    let at = text.find("/password/").unwrap_or_else(|| panic!("no link in {text}")) + "/password/".len();
    text[at..].chars().take_while(char::is_ascii_hexdigit).collect()
}
