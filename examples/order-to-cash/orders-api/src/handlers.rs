//! HTTP handlers. The storefront's checkout calls `POST /orders` with a 10 second timeout
//! and shows "something went wrong, try again" when it expires.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use tokio::time::timeout;
use uuid::Uuid;

use crate::model::{NewOrder, Order, OrderError, OrderPlaced};
use crate::stock::reserve_stock;
use crate::AppState;

/// What we can spend on the stock reservation before the storefront gives up on us.
const CHECKOUT_BUDGET: Duration = Duration::from_secs(10);

#[derive(Debug, Serialize)]
pub struct OrderCreated {
    pub id: Uuid,
    pub total_cents: i64,
    pub status: &'static str,
}

/// Places an order: reserves stock, stores the order, announces it on the bus.
///
/// # Operations
/// - workflow: order-to-cash
/// - step: place-order
/// - service: orders-api
/// - depends-on: postgres, rabbitmq
/// - calls: reserve_stock
/// - side-effects: inserts into `orders` and `order_lines`; publishes `order.placed` to exchange `orders`
/// - idempotent: no
/// - timeout: 10s
/// - owner: team-checkout
/// - alerts: OrdersApi5xxRate
/// - dashboard: https://grafana.acme-shop.internal/d/orders-api/orders-api
/// - runbook: https://wiki.acme-shop.internal/oncall/order-to-cash#create-order
///
/// # Failure modes
/// - The storefront times out at 10s and the customer presses "Place order" again: a
///   second order with a new id, a second reservation and later a second charge.
/// - The publish fails after the commit: the order exists with status `placed` but no
///   worker ever hears of it, so it is never charged nor sent to the ERP.
/// - RabbitMQ blocks publishers on a memory alarm: requests hang until the 10s budget of
///   the storefront is spent.
///
/// # Recovery
/// 1. Find orders that never left: `SELECT id, placed_at FROM orders o WHERE status = 'placed' AND placed_at < now() - interval '10 minutes' AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id);`
/// 2. Republish them: `orders-admin republish --status placed --older-than 10m` (safe: every
///    consumer checks the order id before acting).
/// 3. For duplicate orders from double submits, cancel the newer one before payments-worker
///    charges it: `orders-admin cancel <order-id> --reason duplicate`.
/// 4. On a broker memory alarm, check `rabbitmqctl status` and the queue depths with
///    `rabbitmqadmin list queues name messages consumers`.
pub async fn create_order(
    State(state): State<AppState>,
    Json(new): Json<NewOrder>,
) -> Result<(StatusCode, Json<OrderCreated>), OrderError> {
    let payment_token = new.payment_token.clone();
    let order = Order::from_request(new)?;

    timeout(
        CHECKOUT_BUDGET,
        reserve_stock(&state.db, order.id, &order.lines),
    )
    .await
    .map_err(|_| OrderError::ReservationTimeout(CHECKOUT_BUDGET))??;

    let mut tx = state.db.begin().await?;
    sqlx::query(
        "INSERT INTO orders (id, customer_id, email, currency, total_cents, placed_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(order.id)
    .bind(order.customer_id)
    .bind(&order.email)
    .bind(&order.currency)
    .bind(order.total_cents)
    .bind(order.placed_at)
    .execute(&mut *tx)
    .await?;
    for line in &order.lines {
        sqlx::query(
            "INSERT INTO order_lines (order_id, sku, quantity, unit_price_cents) VALUES ($1, $2, $3, $4)",
        )
        .bind(order.id)
        .bind(&line.sku)
        .bind(line.quantity)
        .bind(line.unit_price_cents)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;

    let event = OrderPlaced {
        order_id: order.id,
        customer_id: order.customer_id,
        email: &order.email,
        currency: &order.currency,
        total_cents: order.total_cents,
        lines: &order.lines,
        payment_token: &payment_token,
        placed_at: order.placed_at,
    };
    state.publisher.publish_order_placed(&event).await?;

    tracing::info!(order_id = %order.id, total_cents = order.total_cents, "order placed");
    let created = OrderCreated {
        id: order.id,
        total_cents: order.total_cents,
        status: "placed",
    };
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Debug, Serialize, sqlx::FromRow)]
pub struct OrderSummary {
    pub id: Uuid,
    pub status: String,
    pub total_cents: i64,
    pub currency: String,
}

pub async fn get_order(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<OrderSummary>, StatusCode> {
    let summary = sqlx::query_as::<_, OrderSummary>(
        "SELECT id, status, total_cents, currency FROM orders WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&state.db)
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "order lookup failed");
        StatusCode::INTERNAL_SERVER_ERROR
    })?;
    summary.map(Json).ok_or(StatusCode::NOT_FOUND)
}

pub async fn healthz(State(state): State<AppState>) -> StatusCode {
    let db_ok = sqlx::query("SELECT 1").execute(&state.db).await.is_ok();
    if db_ok && state.publisher.is_connected() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    }
}
