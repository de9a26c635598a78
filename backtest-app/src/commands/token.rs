//! `backtest token create|list|revoke`: the API tokens of `AUTH_MODE=token`.
//!
//! `create` prints the token as the last line of stdout, and nowhere else:
//! notes go to stderr and the logs never see it. The schema is migrated
//! first when the web would do so itself (SQLite by default).

use anyhow::Context;

use crate::cli::TokenCommand;
use crate::db::tokens::{self, TokenError};
use crate::{db, input_error};

/// Runs a token subcommand.
pub async fn run(command: TokenCommand) -> anyhow::Result<()> {
    let config = super::app_config()?;
    let pool = db::connect(&config.database_url, 1).await?;
    if config.auto_migrate() {
        db::migrate(&pool, config.backend()?).await?;
    }
    match command {
        TokenCommand::Create { name, admin } => {
            let token = tokens::create(&pool, &name, admin)
                .await
                .map_err(user_error)?;
            tracing::info!(name, admin, "API token created");
            eprintln!(
                "Created the {}token `{name}`. It is shown only now; keep it secret:",
                if admin { "admin " } else { "" }
            );
            println!("{token}");
        }
        TokenCommand::List => {
            let all = tokens::list(&pool)
                .await
                .context("cannot list the tokens")?;
            println!("{:<32} {:<5} {:<24} REVOKED", "NAME", "ADMIN", "CREATED");
            for token in all {
                println!(
                    "{:<32} {:<5} {:<24} {}",
                    token.name,
                    if token.admin { "yes" } else { "no" },
                    token.created_at,
                    token.revoked_at.as_deref().unwrap_or("-")
                );
            }
        }
        TokenCommand::Revoke { name } => {
            tokens::revoke(&pool, &name).await.map_err(user_error)?;
            tracing::info!(name, "API token revoked");
            eprintln!("Revoked the token `{name}`.");
        }
    }
    Ok(())
}

/// A bad name is the user's input (exit status 2); the rest are faults.
fn user_error(err: TokenError) -> anyhow::Error {
    match err {
        TokenError::Database(_) | TokenError::Random(_) => anyhow::Error::new(err),
        _ => input_error(err),
    }
}
