//! notifications: order confirmation emails, and the bounces that come back.

mod bounces;
mod email;
mod templates;

use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use futures_lite::StreamExt;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions};
use lapin::types::FieldTable;
use lapin::{Channel, Connection, ConnectionProperties};

use crate::bounces::{poll_bounces, BounceClient};
use crate::email::{send_confirmation_email, Mailer, OrderPlaced};

const QUEUE: &str = "notifications.order-placed";
const BOUNCE_POLL_EVERY: Duration = Duration::from_secs(60);

/// Consumes `notifications.order-placed` and polls for bounces in the background.
///
/// # Operations
/// - service: notifications
/// - depends-on: rabbitmq, smtp-provider
/// - dashboard: https://grafana.acme-shop.internal/d/notifications/notifications
///
/// # Failure modes
/// - The bounce poller dies with the process only: if it is stuck, the consumer keeps
///   running and nothing looks wrong.
///
/// # Recovery
/// 1. `docker compose ps notifications` and `docker compose logs --since 30m notifications`.
/// 2. `docker compose restart notifications`.
async fn run_notifications() -> anyhow::Result<()> {
    let var = |name: &str| std::env::var(name).with_context(|| format!("{name} is not set"));
    let api_url = var("MAIL_API_URL")?;
    let api_key = var("MAIL_API_KEY")?;
    let mailer = Mailer::new(api_url.clone(), api_key.clone(), var("MAIL_FROM")?);
    let bounce_client = BounceClient::new(api_url, api_key)?;

    let connection = Connection::connect(&var("AMQP_URL")?, ConnectionProperties::default())
        .await
        .context("connecting to rabbitmq")?;
    let consumer_channel = connection.create_channel().await?;
    let bounce_channel = connection.create_channel().await?;
    tokio::spawn(bounce_loop(bounce_client, bounce_channel));

    consumer_channel
        .basic_qos(1, BasicQosOptions::default())
        .await?;
    let mut deliveries = consumer_channel
        .basic_consume(
            QUEUE,
            "notifications",
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    while let Some(delivery) = deliveries.next().await {
        let delivery = delivery.context("consumer stream failed")?;
        let sent = match serde_json::from_slice::<OrderPlaced>(&delivery.data) {
            Ok(order) => match send_confirmation_email(&mailer, &order).await {
                Ok(message_id) => {
                    tracing::info!(order_id = %order.order_id, %message_id, "confirmation sent");
                    Ok(())
                }
                Err(err) => Err(anyhow::Error::from(err)),
            },
            Err(err) => Err(anyhow::Error::from(err)),
        };
        match sent {
            Ok(()) => delivery.ack(BasicAckOptions::default()).await?,
            Err(err) => {
                tracing::error!(error = %err, "confirmation not sent, dead-lettering");
                delivery
                    .nack(BasicNackOptions {
                        requeue: false,
                        ..BasicNackOptions::default()
                    })
                    .await?;
            }
        }
    }
    anyhow::bail!("consumer on {QUEUE} ended")
}

async fn bounce_loop(client: BounceClient, channel: Channel) {
    let mut since = Utc::now() - chrono::Duration::hours(1);
    loop {
        match poll_bounces(&client, &channel, since).await {
            Ok(cursor) => since = cursor,
            Err(err) => tracing::error!(error = %err, "publishing bounces failed"),
        }
        tokio::time::sleep(BOUNCE_POLL_EVERY).await;
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    run_notifications().await
}
