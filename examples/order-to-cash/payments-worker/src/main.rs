//! payments-worker: consumes `order.placed`, captures the payment, publishes the outcome.

mod capture;
mod charge;
mod messages;

use std::net::SocketAddr;

use anyhow::Context;
use axum::routing::get;
use axum::Router;
use futures_lite::StreamExt;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions};
use lapin::types::FieldTable;
use lapin::{Channel, Connection, ConnectionProperties};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

use crate::capture::ProviderClient;
use crate::charge::charge_order;
use crate::messages::{OrderPlaced, ORDER_PLACED_QUEUE};

/// Captures are slow (seconds); more than a few in flight per worker only piles up
/// connections at the provider.
const PREFETCH: u16 = 4;

/// Failed deliveries go to the queue's dead-letter exchange, never back to the head of the
/// queue: a poison message must not block every order behind it.
fn dead_letter() -> BasicNackOptions {
    BasicNackOptions {
        requeue: false,
        ..BasicNackOptions::default()
    }
}

pub struct Worker {
    pub db: PgPool,
    pub provider: ProviderClient,
    pub channel: Channel,
}

struct Config {
    database_url: String,
    amqp_url: String,
    provider_url: String,
    provider_key: String,
    health_listen: SocketAddr,
}

impl Config {
    fn from_env() -> anyhow::Result<Config> {
        let var = |name: &str| std::env::var(name).with_context(|| format!("{name} is not set"));
        Ok(Config {
            database_url: var("DATABASE_URL")?,
            amqp_url: var("AMQP_URL")?,
            provider_url: var("PAYMENT_PROVIDER_URL")?,
            provider_key: var("PAYMENT_PROVIDER_KEY")?,
            health_listen: "0.0.0.0:9090".parse()?,
        })
    }
}

/// Consumes `payments.order-placed` until the connection drops, then exits so that the
/// container restarts with a fresh connection.
///
/// # Operations
/// - service: payments-worker
/// - depends-on: postgres, rabbitmq, payment-provider
/// - owner: team-payments
/// - alerts: PaymentsWorkerDown
/// - dashboard: https://grafana.acme-shop.internal/d/payments/payments-worker
/// - runbook: https://wiki.acme-shop.internal/oncall/payments
///
/// # Failure modes
/// - Broker connection lost: the loop ends, the process exits, compose restarts it (at
///   most 5 times, then it stays down).
///
/// # Recovery
/// 1. `docker compose ps payments-worker`; if it is `exited`, read `docker compose logs --tail 200 payments-worker`.
/// 2. `docker compose up -d payments-worker` once RabbitMQ is healthy again.
async fn run_payments_consumer(config: Config) -> anyhow::Result<()> {
    let db = PgPoolOptions::new()
        .max_connections(8)
        .connect(&config.database_url)
        .await
        .context("connecting to postgres")?;
    let provider = ProviderClient::new(config.provider_url, config.provider_key)?;
    let connection = Connection::connect(&config.amqp_url, ConnectionProperties::default())
        .await
        .context("connecting to rabbitmq")?;
    let channel = connection.create_channel().await?;
    channel
        .basic_qos(PREFETCH, BasicQosOptions::default())
        .await?;
    let mut deliveries = channel
        .basic_consume(
            ORDER_PLACED_QUEUE,
            "payments-worker",
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;

    let health = Router::new().route("/healthz", get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind(config.health_listen).await?;
    tokio::spawn(async move { axum::serve(listener, health).await });

    let worker = Worker {
        db,
        provider,
        channel,
    };
    while let Some(delivery) = deliveries.next().await {
        let delivery = delivery.context("consumer stream failed")?;
        let order: OrderPlaced = match serde_json::from_slice(&delivery.data) {
            Ok(order) => order,
            Err(err) => {
                tracing::error!(error = %err, "malformed order.placed, dead-lettering");
                delivery.nack(dead_letter()).await?;
                continue;
            }
        };
        match charge_order(&worker, &order).await {
            Ok(outcome) => {
                tracing::info!(order_id = %order.id, ?outcome, "order charged");
                delivery.ack(BasicAckOptions::default()).await?;
            }
            Err(err) => {
                tracing::error!(order_id = %order.id, error = %err, "charge failed, dead-lettering");
                delivery.nack(dead_letter()).await?;
            }
        }
    }
    anyhow::bail!("consumer on {ORDER_PLACED_QUEUE} ended")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    run_payments_consumer(Config::from_env()?).await
}
