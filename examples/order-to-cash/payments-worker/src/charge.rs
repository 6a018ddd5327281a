//! One placed order in, one payment decision out.

use chrono::Utc;

use crate::capture::{capture_payment, PaymentError};
use crate::messages::{self, OrderPlaced, PaymentCaptured, PaymentFailed};
use crate::Worker;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChargeOutcome {
    Captured,
    AlreadyCaptured,
    Declined,
}

/// Charges one placed order and announces the result on the bus.
///
/// Safe to run twice for the same order: a `captured` row in `payments` short-circuits it,
/// and the capture itself carries the order id as its idempotency key.
///
/// # Operations
/// - workflow: order-to-cash
/// - service: payments-worker
/// - depends-on: postgres, rabbitmq
/// - side-effects: writes `payments`, sets `orders.status`, publishes `payment.captured` or `payment.failed`
/// - idempotent: yes
/// - deadline: 7d
/// - owner: team-payments
/// - alerts: PaymentsQueueBacklog
/// - runbook: https://wiki.acme-shop.internal/oncall/payments#charge
///
/// # Failure modes
/// - Card authorisations expire after 7 days: an order still unpaid by then cannot be
///   captured and must be paid again by the customer.
/// - The capture succeeds but the `payments` update fails (Postgres failover): the message
///   is dead-lettered; replaying it is safe because the provider returns the same capture.
/// - No queue is bound to `payment.failed`: declined orders are only visible in `payments`
///   until customer service looks.
///
/// # Recovery
/// 1. Queue depth and consumers: `rabbitmqadmin list queues name messages consumers | grep payments`.
/// 2. Orders paid at the provider but not in our table:
///    `SELECT order_id FROM payments WHERE status = 'pending' AND updated_at < now() - interval '30 minutes';`
///    then `paymentsctl captures list --reference <order-id>` for each.
/// 3. Replay: `paymentsctl replay-dlq --queue payments.order-placed.dlq --max-age 24h`.
pub async fn charge_order(
    worker: &Worker,
    order: &OrderPlaced,
) -> Result<ChargeOutcome, PaymentError> {
    let existing: Option<String> =
        sqlx::query_scalar("SELECT status FROM payments WHERE order_id = $1")
            .bind(order.id)
            .fetch_optional(&worker.db)
            .await?;
    if existing.as_deref() == Some("captured") {
        tracing::info!(order_id = %order.id, "already captured, skipping");
        return Ok(ChargeOutcome::AlreadyCaptured);
    }

    sqlx::query(
        "INSERT INTO payments (order_id, amount_cents, currency, status) VALUES ($1, $2, $3, 'pending') \
         ON CONFLICT (order_id) DO UPDATE SET status = 'pending', failure = NULL, updated_at = now()",
    )
    .bind(order.id)
    .bind(order.total_cents)
    .bind(&order.currency)
    .execute(&worker.db)
    .await?;

    match capture_payment(&worker.provider, order).await {
        Ok(capture) => {
            let mut tx = worker.db.begin().await?;
            sqlx::query(
                "UPDATE payments SET status = 'captured', capture_id = $2, updated_at = now() WHERE order_id = $1",
            )
            .bind(order.id)
            .bind(&capture.id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE orders SET status = 'paid' WHERE id = $1")
                .bind(order.id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;

            let event = PaymentCaptured {
                order_id: order.id,
                capture_id: &capture.id,
                amount_cents: capture.amount,
                currency: &capture.currency,
                captured_at: Utc::now(),
            };
            messages::publish(
                &worker.channel,
                messages::PAYMENT_CAPTURED,
                order.id,
                &event,
            )
            .await?;
            Ok(ChargeOutcome::Captured)
        }
        Err(PaymentError::Declined { code }) => {
            sqlx::query(
                "UPDATE payments SET status = 'declined', failure = $2, updated_at = now() WHERE order_id = $1",
            )
            .bind(order.id)
            .bind(&code)
            .execute(&worker.db)
            .await?;
            sqlx::query("UPDATE orders SET status = 'payment_failed' WHERE id = $1")
                .bind(order.id)
                .execute(&worker.db)
                .await?;
            let event = PaymentFailed {
                order_id: order.id,
                reason: &code,
                failed_at: Utc::now(),
            };
            messages::publish(&worker.channel, messages::PAYMENT_FAILED, order.id, &event).await?;
            Ok(ChargeOutcome::Declined)
        }
        Err(err) => {
            sqlx::query(
                "UPDATE payments SET status = 'failed', failure = $2, updated_at = now() WHERE order_id = $1",
            )
            .bind(order.id)
            .bind(err.to_string())
            .execute(&worker.db)
            .await?;
            Err(err)
        }
    }
}
