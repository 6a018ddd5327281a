//! orders-api: the storefront's only way to place an order.

mod events;
mod handlers;
mod model;
mod stock;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::routing::{get, post};
use axum::Router;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

use crate::events::Publisher;

#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub publisher: Arc<Publisher>,
}

#[derive(Debug)]
struct Config {
    database_url: String,
    amqp_url: String,
    listen: SocketAddr,
}

impl Config {
    fn from_env() -> anyhow::Result<Config> {
        Ok(Config {
            database_url: std::env::var("DATABASE_URL").context("DATABASE_URL is not set")?,
            amqp_url: std::env::var("AMQP_URL").context("AMQP_URL is not set")?,
            listen: std::env::var("LISTEN")
                .unwrap_or_else(|_| "0.0.0.0:8080".to_string())
                .parse()
                .context("LISTEN is not a socket address")?,
        })
    }
}

/// Runs the HTTP API until SIGTERM, then drains in-flight requests.
///
/// # Operations
/// - service: orders-api
/// - depends-on: postgres, rabbitmq
/// - owner: team-checkout
/// - alerts: OrdersApiDown
/// - dashboard: https://grafana.acme-shop.internal/d/orders-api/orders-api
/// - runbook: https://wiki.acme-shop.internal/oncall/orders-api
///
/// # Failure modes
/// - Postgres unreachable at start: the process exits and compose restarts it.
/// - Pool exhausted (20 connections) under a campaign: requests queue for up to 5s, then
///   fail with 500.
///
/// # Recovery
/// 1. `docker compose ps orders-api` and `docker compose logs --since 15m orders-api`.
/// 2. Check connections: `SELECT count(*), state FROM pg_stat_activity WHERE usename = 'orders' GROUP BY state;`
/// 3. Restart one replica at a time: `docker compose restart orders-api`.
async fn serve(config: Config) -> anyhow::Result<()> {
    let db = PgPoolOptions::new()
        .max_connections(20)
        .acquire_timeout(Duration::from_secs(5))
        .connect(&config.database_url)
        .await
        .context("connecting to postgres")?;
    let publisher = Publisher::connect(&config.amqp_url)
        .await
        .context("connecting to rabbitmq")?;
    let state = AppState {
        db,
        publisher: Arc::new(publisher),
    };

    let app = Router::new()
        .route("/orders", post(handlers::create_order))
        .route("/orders/:id", get(handlers::get_order))
        .route("/healthz", get(handlers::healthz))
        .with_state(state);

    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    tracing::info!(listen = %config.listen, "orders-api listening");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let config = Config::from_env()?;
    serve(config).await
}
