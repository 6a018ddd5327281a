//! Orders as the storefront sends them, as they are stored, and as they leave on the bus.

use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Largest basket the storefront allows; anything bigger is a bot or a bug.
pub const MAX_LINES: usize = 50;

#[derive(Debug, Clone, Deserialize)]
pub struct NewOrder {
    pub customer_id: Uuid,
    pub email: String,
    pub currency: String,
    pub lines: Vec<OrderLine>,
    /// Token from the payment provider's hosted card fields; never a card number.
    pub payment_token: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderLine {
    pub sku: String,
    pub quantity: i32,
    pub unit_price_cents: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Order {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub email: String,
    pub currency: String,
    pub lines: Vec<OrderLine>,
    pub total_cents: i64,
    pub placed_at: DateTime<Utc>,
}

impl Order {
    pub fn from_request(new: NewOrder) -> Result<Order, OrderError> {
        if new.lines.is_empty() || new.lines.len() > MAX_LINES {
            return Err(OrderError::Invalid(format!(
                "an order has 1 to {MAX_LINES} lines"
            )));
        }
        if let Some(line) = new.lines.iter().find(|l| l.quantity <= 0) {
            return Err(OrderError::Invalid(format!(
                "quantity for {} must be positive",
                line.sku
            )));
        }
        if new.currency.len() != 3 {
            return Err(OrderError::Invalid(format!(
                "unknown currency {:?}",
                new.currency
            )));
        }
        let total_cents = new
            .lines
            .iter()
            .map(|l| i64::from(l.quantity) * l.unit_price_cents)
            .sum();
        Ok(Order {
            id: Uuid::new_v4(),
            customer_id: new.customer_id,
            email: new.email,
            currency: new.currency.to_uppercase(),
            lines: new.lines,
            total_cents,
            placed_at: Utc::now(),
        })
    }
}

/// Published on exchange `orders` with routing key `order.placed`; payments-worker,
/// erp-sync and notifications each consume their own copy.
#[derive(Debug, Clone, Serialize)]
pub struct OrderPlaced<'a> {
    pub order_id: Uuid,
    pub customer_id: Uuid,
    pub email: &'a str,
    pub currency: &'a str,
    pub total_cents: i64,
    pub lines: &'a [OrderLine],
    pub payment_token: &'a str,
    pub placed_at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    #[error("invalid order: {0}")]
    Invalid(String),
    #[error("out of stock: {sku}")]
    OutOfStock { sku: String },
    #[error("stock reservation did not finish within {0:?}")]
    ReservationTimeout(Duration),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database call timed out after {0:?}")]
    DbTimeout(Duration),
    #[error("broker: {0}")]
    Broker(#[from] lapin::Error),
    #[error("broker did not confirm the publish")]
    NotConfirmed,
    #[error("encoding: {0}")]
    Encode(#[from] serde_json::Error),
}

impl OrderError {
    /// Errors worth another attempt: lock timeouts, serialization failures, lost connections.
    pub fn is_transient(&self) -> bool {
        match self {
            OrderError::DbTimeout(_) => true,
            OrderError::Db(sqlx::Error::Database(db)) => {
                // 40001 serialization_failure, 40P01 deadlock_detected, 55P03 lock_not_available
                matches!(db.code().as_deref(), Some("40001" | "40P01" | "55P03"))
            }
            OrderError::Db(sqlx::Error::PoolTimedOut | sqlx::Error::Io(_)) => true,
            _ => false,
        }
    }
}

impl IntoResponse for OrderError {
    fn into_response(self) -> Response {
        let status = match &self {
            OrderError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            OrderError::OutOfStock { .. } => StatusCode::CONFLICT,
            OrderError::ReservationTimeout(_) | OrderError::DbTimeout(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status.is_server_error() {
            tracing::error!(error = %self, "order request failed");
        }
        (
            status,
            Json(serde_json::json!({ "error": self.to_string() })),
        )
            .into_response()
    }
}
