//! erp-sync: turns web orders into ERP sales orders and captured payments into cash receipts.

mod erp;
mod handlers;
mod mapping;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::routing::get;
use axum::Router;
use futures_lite::StreamExt;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions};
use lapin::types::FieldTable;
use lapin::{Channel, Connection, ConnectionProperties};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

use crate::erp::ErpClient;
use crate::handlers::{handle_order_placed, handle_payment_captured};

/// The ERP throttles us above about 5 requests per second; one message at a time per
/// queue keeps us under it.
const PREFETCH: u16 = 1;

pub struct SyncContext {
    pub db: PgPool,
    pub erp: ErpClient,
}

#[derive(Debug, Clone, Copy)]
enum Queue {
    OrderPlaced,
    PaymentCaptured,
}

impl Queue {
    fn name(self) -> &'static str {
        match self {
            Queue::OrderPlaced => "erp-sync.order-placed",
            Queue::PaymentCaptured => "erp-sync.payment-captured",
        }
    }
}

/// Runs both consumers until one of them stops; the process then exits so that compose
/// restarts it with fresh connections.
///
/// # Operations
/// - service: erp-sync
/// - depends-on: postgres, rabbitmq, erp-api
/// - owner: team-integrations
/// - alerts: ErpSyncDown
/// - dashboard: https://grafana.acme-shop.internal/d/erp-sync/erp-sync
/// - runbook: https://wiki.acme-shop.internal/oncall/erp-sync
///
/// # Failure modes
/// - Five crashes in a row (ERP credentials rotated without telling us): compose stops
///   restarting it and both queues grow.
///
/// # Recovery
/// 1. `docker compose logs --since 30m erp-sync | grep -i unauthorized`.
/// 2. Update `ERP_CLIENT_SECRET`, then `docker compose up -d erp-sync`.
/// 3. Watch the backlog drain: `rabbitmqadmin list queues name messages | grep erp-sync`.
async fn run_erp_consumer() -> anyhow::Result<()> {
    let var = |name: &str| std::env::var(name).with_context(|| format!("{name} is not set"));
    let db = PgPoolOptions::new()
        .max_connections(4)
        .connect(&var("DATABASE_URL")?)
        .await
        .context("connecting to postgres")?;
    let erp = ErpClient::new(
        var("ERP_BASE_URL")?,
        var("ERP_CLIENT_ID")?,
        var("ERP_CLIENT_SECRET")?,
    )?;
    let ctx = Arc::new(SyncContext { db, erp });

    let connection = Connection::connect(&var("AMQP_URL")?, ConnectionProperties::default())
        .await
        .context("connecting to rabbitmq")?;
    let orders = connection.create_channel().await?;
    let payments = connection.create_channel().await?;

    let health_listen: SocketAddr = "0.0.0.0:9090".parse()?;
    let health = Router::new().route("/healthz", get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind(health_listen).await?;
    tokio::spawn(async move { axum::serve(listener, health).await });

    tokio::try_join!(
        consume(ctx.clone(), orders, Queue::OrderPlaced),
        consume(ctx, payments, Queue::PaymentCaptured),
    )?;
    Ok(())
}

async fn consume(ctx: Arc<SyncContext>, channel: Channel, queue: Queue) -> anyhow::Result<()> {
    channel
        .basic_qos(PREFETCH, BasicQosOptions::default())
        .await?;
    let mut deliveries = channel
        .basic_consume(
            queue.name(),
            &format!("erp-sync/{}", queue.name()),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    while let Some(delivery) = deliveries.next().await {
        let delivery = delivery.context("consumer stream failed")?;
        let handled = match queue {
            Queue::OrderPlaced => handle_order_placed(&ctx, &delivery.data).await,
            Queue::PaymentCaptured => handle_payment_captured(&ctx, &delivery.data).await,
        };
        match handled {
            Ok(()) => delivery.ack(BasicAckOptions::default()).await?,
            Err(err) => {
                tracing::error!(queue = queue.name(), error = %err, "dead-lettering message");
                delivery
                    .nack(BasicNackOptions {
                        requeue: false,
                        ..BasicNackOptions::default()
                    })
                    .await?;
            }
        }
    }
    anyhow::bail!("consumer on {} ended", queue.name())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    run_erp_consumer().await
}
