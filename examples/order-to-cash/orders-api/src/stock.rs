//! Stock reservation: the only place that decrements `stock.available`.

use std::time::Duration;

use backoff::ExponentialBackoff;
use sqlx::PgPool;
use tokio::time::timeout;
use uuid::Uuid;

use crate::model::{OrderError, OrderLine};

/// One attempt of the reservation transaction; past this we roll back and try again rather
/// than hold row locks on hot SKUs while the storefront waits.
const RESERVATION_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(3);

/// Reserves stock for every line of an order, all lines or none.
///
/// Each line inserts a row into `stock_reservations` keyed by `(order_id, sku)` before it
/// decrements `stock.available`, so an attempt that committed but whose answer was lost is
/// a no-op the second time. Lock contention on popular SKUs during a campaign is the usual
/// reason for a retry.
///
/// # Operations
/// - workflow: order-to-cash
/// - service: orders-api
/// - depends-on: postgres
/// - side-effects: decrements `stock.available`, inserts into `stock_reservations`
/// - idempotent: key=(order_id, sku)
/// - timeout: 3s
/// - owner: team-checkout
/// - dashboard: https://grafana.acme-shop.internal/d/orders-api/orders-api?viewPanel=12
///
/// # Failure modes
/// - Lock contention on a hot SKU (flash sale): attempts time out after 3s and retry for up
///   to a minute; the storefront has already given up after 10s.
/// - Not enough stock: the guarded UPDATE matches no row, the order is rejected with 409
///   and nothing is retried.
/// - Postgres failover: the pool reconnects; attempts in flight fail with an I/O error and
///   are retried.
///
/// # Recovery
/// 1. Find blocked reservations: `psql "$DATABASE_URL" -c "SELECT pid, now() - xact_start AS age, query FROM pg_stat_activity WHERE query LIKE '%stock%' ORDER BY age DESC"`.
/// 2. If one transaction holds the locks for minutes, end it: `SELECT pg_terminate_backend(<pid>);`.
/// 3. Check for reservations without an order (storefront gave up mid-retry):
///    `SELECT r.* FROM stock_reservations r LEFT JOIN orders o ON o.id = r.order_id WHERE o.id IS NULL AND r.reserved_at < now() - interval '15 minutes';`
/// 4. Release them with `orders-admin release-reservations --older-than 15m`, which returns
///    the quantities to `stock.available` in one transaction.
pub async fn reserve_stock(
    pool: &PgPool,
    order_id: Uuid,
    lines: &[OrderLine],
) -> Result<(), OrderError> {
    let policy = ExponentialBackoff {
        max_elapsed_time: Some(Duration::from_secs(60)),
        ..ExponentialBackoff::default()
    };

    backoff::future::retry(policy, || async {
        let attempt = timeout(
            RESERVATION_ATTEMPT_TIMEOUT,
            reserve_lines(pool, order_id, lines),
        )
        .await
        .unwrap_or(Err(OrderError::DbTimeout(RESERVATION_ATTEMPT_TIMEOUT)));
        attempt.map_err(|e| {
            if e.is_transient() {
                tracing::warn!(%order_id, error = %e, "stock reservation failed, retrying");
                backoff::Error::transient(e)
            } else {
                backoff::Error::permanent(e)
            }
        })
    })
    .await
}

/// One reservation transaction. Dropping the future (timeout) rolls it back.
async fn reserve_lines(
    pool: &PgPool,
    order_id: Uuid,
    lines: &[OrderLine],
) -> Result<(), OrderError> {
    let mut tx = pool.begin().await?;
    for line in lines {
        let inserted = sqlx::query(
            "INSERT INTO stock_reservations (order_id, sku, quantity) VALUES ($1, $2, $3) \
             ON CONFLICT (order_id, sku) DO NOTHING",
        )
        .bind(order_id)
        .bind(&line.sku)
        .bind(line.quantity)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            // Reserved by an earlier attempt whose commit we did not see.
            continue;
        }
        let updated = sqlx::query(
            "UPDATE stock SET available = available - $2, updated_at = now() \
             WHERE sku = $1 AND available >= $2",
        )
        .bind(&line.sku)
        .bind(line.quantity)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(OrderError::OutOfStock {
                sku: line.sku.clone(),
            });
        }
    }
    tx.commit().await?;
    Ok(())
}
