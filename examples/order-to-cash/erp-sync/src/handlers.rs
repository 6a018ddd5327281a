//! Message handlers: parse, check what the ERP already has, call it, remember the answer.

use crate::erp::{post_cash_receipt, push_order, ErpError};
use crate::mapping::{CashReceiptRequest, OrderPlaced, PaymentCaptured, SalesOrderRequest};
use crate::SyncContext;

/// Sends one placed order to the ERP and remembers the ERP's order number.
///
/// A redelivered message whose order already has a row in `erp_sales_orders` is skipped.
/// That guards against redelivery only: the row is written after the ERP answered, so it
/// cannot protect against `push_order`'s own retries.
///
/// # Operations
/// - workflow: order-to-cash
/// - service: erp-sync
/// - depends-on: postgres, rabbitmq
/// - side-effects: inserts into `erp_sales_orders`
/// - idempotent: yes
/// - owner: team-integrations
/// - runbook: https://wiki.acme-shop.internal/oncall/erp-sync#order-placed
///
/// # Failure modes
/// - Sales order created in the ERP, then the insert into `erp_sales_orders` fails: the
///   message is dead-lettered and a replay creates a second sales order.
/// - Malformed message (schema change in orders-api): dead-lettered at once.
///
/// # Recovery
/// 1. Compare both sides for the last hour: `SELECT order_id FROM orders o WHERE placed_at > now() - interval '1 hour' AND NOT EXISTS (SELECT 1 FROM erp_sales_orders e WHERE e.order_id = o.id);`
/// 2. For each, `erpctl sales-orders list --external-ref <order-id>`; if the ERP has one, record it:
///    `INSERT INTO erp_sales_orders (order_id, erp_order_no) VALUES ('<order-id>', '<order-no>');`
/// 3. Replay the rest with `erpctl replay --since 1h`.
pub async fn handle_order_placed(ctx: &SyncContext, payload: &[u8]) -> Result<(), ErpError> {
    let order: OrderPlaced = serde_json::from_slice(payload)?;

    let known: Option<String> =
        sqlx::query_scalar("SELECT erp_order_no FROM erp_sales_orders WHERE order_id = $1")
            .bind(order.order_id)
            .fetch_optional(&ctx.db)
            .await?;
    if let Some(order_no) = known {
        tracing::info!(order_id = %order.order_id, %order_no, "already in the ERP, skipping");
        return Ok(());
    }

    let request = SalesOrderRequest::from_order(&order);
    let erp_ref = push_order(&ctx.erp, &request).await?;

    sqlx::query(
        "INSERT INTO erp_sales_orders (order_id, erp_order_no) VALUES ($1, $2) \
         ON CONFLICT (order_id) DO NOTHING",
    )
    .bind(order.order_id)
    .bind(&erp_ref.order_no)
    .execute(&ctx.db)
    .await?;
    tracing::info!(order_id = %order.order_id, order_no = %erp_ref.order_no, "sales order created");
    Ok(())
}

/// Books a captured payment in the ERP once the sales order exists there.
///
/// # Operations
/// - workflow: order-to-cash
/// - service: erp-sync
/// - depends-on: postgres, rabbitmq
/// - side-effects: updates `erp_sales_orders.cash_receipt_no`
/// - idempotent: yes
/// - owner: team-integrations
/// - runbook: https://wiki.acme-shop.internal/oncall/erp-sync#payment-captured
///
/// # Failure modes
/// - The payment is captured before the sales order reached the ERP (the ERP was in its
///   batch window): no sales order number yet, the message is dead-lettered.
///
/// # Recovery
/// 1. Make sure the sales order exists first (see `handle_order_placed`).
/// 2. Then replay the receipts: `erpctl replay --queue erp-sync.payment-captured.dlq --since 24h`.
pub async fn handle_payment_captured(ctx: &SyncContext, payload: &[u8]) -> Result<(), ErpError> {
    let capture: PaymentCaptured = serde_json::from_slice(payload)?;

    let sales_order_no: Option<String> =
        sqlx::query_scalar("SELECT erp_order_no FROM erp_sales_orders WHERE order_id = $1")
            .bind(capture.order_id)
            .fetch_optional(&ctx.db)
            .await?;
    let sales_order_no = sales_order_no.ok_or(ErpError::SalesOrderMissing {
        order_id: capture.order_id,
    })?;

    let receipt = CashReceiptRequest::from_capture(sales_order_no, &capture);
    let receipt_no = post_cash_receipt(&ctx.erp, &receipt).await?;
    if let Some(receipt_no) = receipt_no {
        sqlx::query("UPDATE erp_sales_orders SET cash_receipt_no = $2 WHERE order_id = $1")
            .bind(capture.order_id)
            .bind(&receipt_no)
            .execute(&ctx.db)
            .await?;
    }
    Ok(())
}
