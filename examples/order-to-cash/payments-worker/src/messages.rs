//! Messages on exchange `orders`, as payments-worker reads and writes them.

use chrono::{DateTime, Utc};
use lapin::options::BasicPublishOptions;
use lapin::{BasicProperties, Channel};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::capture::PaymentError;

pub const ORDERS_EXCHANGE: &str = "orders";
pub const ORDER_PLACED_QUEUE: &str = "payments.order-placed";
pub const PAYMENT_CAPTURED: &str = "payment.captured";
pub const PAYMENT_FAILED: &str = "payment.failed";

/// `order.placed`, published by orders-api.
#[derive(Debug, Clone, Deserialize)]
pub struct OrderPlaced {
    #[serde(rename = "order_id")]
    pub id: Uuid,
    pub customer_id: Uuid,
    pub email: String,
    pub currency: String,
    pub total_cents: i64,
    pub payment_token: String,
    pub placed_at: DateTime<Utc>,
}

/// `payment.captured`, consumed by erp-sync to post the cash receipt.
#[derive(Debug, Serialize)]
pub struct PaymentCaptured<'a> {
    pub order_id: Uuid,
    pub capture_id: &'a str,
    pub amount_cents: i64,
    pub currency: &'a str,
    pub captured_at: DateTime<Utc>,
}

/// `payment.failed`: no queue is bound to it yet, so the broker drops it; declines are only
/// visible in the `payments` table.
#[derive(Debug, Serialize)]
pub struct PaymentFailed<'a> {
    pub order_id: Uuid,
    pub reason: &'a str,
    pub failed_at: DateTime<Utc>,
}

/// Publishes a JSON message on the `orders` exchange and waits for the broker's confirm.
pub async fn publish<T: Serialize>(
    channel: &Channel,
    routing_key: &str,
    order_id: Uuid,
    message: &T,
) -> Result<(), PaymentError> {
    let payload = serde_json::to_vec(message)?;
    let properties = BasicProperties::default()
        .with_content_type("application/json".into())
        .with_delivery_mode(2)
        .with_message_id(format!("{routing_key}:{order_id}").into())
        .with_app_id("payments-worker".into());
    channel
        .basic_publish(
            ORDERS_EXCHANGE,
            routing_key,
            BasicPublishOptions::default(),
            &payload,
            properties,
        )
        .await?
        .await?;
    Ok(())
}
