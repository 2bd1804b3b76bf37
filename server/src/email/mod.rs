//! Email over SMTP (`TANDEM_SMTP_URL`): the transport, and the messages notifications
//! become. Which notifications become email is decided in `service/delivery.rs`.

mod render;

use std::time::Duration;

use anyhow::Context;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub use render::{render, Rendered};

/// One SMTP conversation may take this long before it counts as a failure.
const SMTP_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Clone, Debug)]
pub struct SmtpSettings {
    /// `smtp://host:port` (STARTTLS whenever the server offers it, port 587 unless
    /// given; `?tls=required` insists on it), `smtps://host:port` (TLS from the start);
    /// `user:password@` for authentication.
    pub url: String,
    /// The sender, e.g. `Tandem <tandem@example.com>`.
    pub from: String,
}

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// Links in messages lead here.
    public_url: String,
}

/// Why a message did not go out, and whether trying again can help.
#[derive(Debug)]
pub struct SendFailure {
    /// The server refused for good (5xx), or the message cannot be built: no retry.
    pub permanent: bool,
    /// No answer from the server at all (connection, TLS, timeout): the others waiting
    /// would fare no better just now.
    pub server_down: bool,
    pub message: String,
}

impl Mailer {
    pub fn new(settings: &SmtpSettings, public_url: &str) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&with_starttls(&settings.url))
            .with_context(|| "TANDEM_SMTP_URL is not an SMTP URL such as smtp://mail.example.com:587".to_owned())?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        let from = settings.from.parse().with_context(|| {
            format!("TANDEM_SMTP_FROM={:?} is not an address such as Tandem <tandem@example.com>", settings.from)
        })?;
        Ok(Self { transport, from, public_url: public_url.trim_end_matches('/').to_owned() })
    }

    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    pub async fn send(&self, to_name: &str, to_email: &str, mail: Rendered) -> Result<(), SendFailure> {
        let to = Mailbox::new(Some(to_name.to_owned()), to_email.parse().map_err(|e| permanent(format!("{e}")))?);
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .multipart(MultiPart::alternative_plain_html(mail.text, mail.html))
            .map_err(|e| permanent(format!("cannot build the message: {e}")))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(error) => Err(SendFailure {
                permanent: error.is_permanent(),
                server_down: error.status().is_none(),
                message: error.to_string(),
            }),
        }
    }
}

fn permanent(message: String) -> SendFailure {
    SendFailure { permanent: true, server_down: false, message }
}

/// `smtp://` URLs use STARTTLS whenever the server offers it, unless they say `tls=`:
/// lettre alone would send credentials and mail in the clear.
fn with_starttls(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.scheme() == "smtp" && !parsed.query_pairs().any(|(k, _)| k == "tls") => {
            parsed.query_pairs_mut().append_pair("tls", "opportunistic");
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// The sender when `TANDEM_SMTP_FROM` is unset: `Tandem <tandem@the public host>`.
pub fn default_from(public_url: &str) -> String {
    let host = url::Url::parse(public_url).ok().and_then(|u| u.host_str().map(str::to_owned));
    format!("Tandem <tandem@{}>", host.unwrap_or_else(|| "localhost".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn settings_are_checked_when_the_mailer_is_made() {
        let ok = SmtpSettings { url: "smtp://127.0.0.1:2525".into(), from: default_from("https://tasks.example.com") };
        assert_eq!(ok.from, "Tandem <tandem@tasks.example.com>");
        assert!(Mailer::new(&ok, "https://tasks.example.com").is_ok());
        let bad_url = SmtpSettings { url: "mail.example.com".into(), ..ok.clone() };
        assert!(format!("{:#}", Mailer::new(&bad_url, "").err().unwrap()).contains("TANDEM_SMTP_URL"));
        assert_eq!(
            with_starttls("smtp://u:p@mail.example.com:587"),
            "smtp://u:p@mail.example.com:587?tls=opportunistic"
        );
        assert_eq!(with_starttls("smtp://mail.example.com?tls=required"), "smtp://mail.example.com?tls=required");
        assert_eq!(with_starttls("smtps://mail.example.com"), "smtps://mail.example.com");
        let bad_from = SmtpSettings { from: "not an address".into(), ..ok };
        assert!(format!("{:#}", Mailer::new(&bad_from, "").err().unwrap()).contains("TANDEM_SMTP_FROM"));
    }
}
