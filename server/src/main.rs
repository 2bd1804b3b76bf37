//! `tandem`: serve the app, apply migrations, or create an admin account.

use clap::{Parser, Subcommand};
use std::sync::Arc;

use server::clock::SystemClock;
use server::config::Config;
use server::startup::{build_service, open_store, Application};

#[derive(Parser)]
#[command(name = "tandem", version, about = "Tandem: a self-hosted, real-time task manager for teams")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web app and API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create an instance admin account.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Read from TANDEM_ADMIN_PASSWORD when not given.
        #[arg(long, env = "TANDEM_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Turn email-and-password sign-in on or off for the whole instance (admins can do
    /// it in the app; this is the way back in should nobody be able to sign in).
    PasswordSignIn {
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = dotenvy::dotenv();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let config = Config::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            // One descriptor per open socket: ask for room for tens of thousands.
            let files = server::limits::raise_fd_limit(65_536);
            if files < 4096 {
                tracing::warn!(files, "few file descriptors allowed; raise `ulimit -n` for many live sockets");
            }
            let app = Application::build(config.clone()).await?;
            tracing::info!("Tandem listening on http://{} (public URL {})", config.addr, config.public_url);
            app.run_until_stopped().await
        }
        Command::Migrate => {
            open_store(&config.database_url, config.db_pool).await?;
            println!("migrations applied to {}", redacted(&config.database_url));
            Ok(())
        }
        Command::CreateAdmin { email, name, password } => {
            let service = build_service(&config, Arc::new(SystemClock)).await?;
            let user = service
                .create_admin(app::domain::Registration { email, name, password })
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message))?;
            println!("created instance admin {} <{}>", user.name, user.email);
            Ok(())
        }
        Command::PasswordSignIn { state } => {
            let service = build_service(&config, Arc::new(SystemClock)).await?;
            service.set_password_sign_in(state == "on").await.map_err(|e| anyhow::anyhow!("{}", e.message))?;
            println!("password sign-in is {state}");
            Ok(())
        }
    }
}

/// A database URL fit to print: the password (if any) is left out.
fn redacted(url: &str) -> String {
    match (url.split_once("://"), url.rfind('@')) {
        (Some((scheme, rest)), Some(_)) => {
            let (credentials, host) = rest.rsplit_once('@').unwrap_or(("", rest));
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}@{host}")
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_printed_database_url_keeps_no_password() {
        assert_eq!(super::redacted("postgres://app:s3cret@db:5432/tandem"), "postgres://app@db:5432/tandem");
        assert_eq!(super::redacted("postgres://db/tandem"), "postgres://db/tandem");
        assert_eq!(super::redacted("sqlite://data/tandem.db?mode=rwc"), "sqlite://data/tandem.db?mode=rwc");
    }
}
