//! The ERP's REST API (v2): sales orders and cash receipts.

use std::time::Duration;

use reqwest::{Client, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use tokio_retry::strategy::{jitter, ExponentialBackoff};
use tokio_retry::Retry;
use uuid::Uuid;

use crate::mapping::{CashReceiptRequest, SalesOrderRequest};

#[derive(Debug, thiserror::Error)]
pub enum ErpError {
    #[error("ERP unreachable: {0}")]
    Transport(#[from] reqwest::Error),
    #[error("ERP unavailable ({status})")]
    Unavailable { status: StatusCode },
    #[error("ERP rejected the document ({status}): {body}")]
    Rejected { status: StatusCode, body: String },
    #[error("no sales order in the ERP yet for order {order_id}")]
    SalesOrderMissing { order_id: Uuid },
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("malformed message: {0}")]
    Malformed(#[from] serde_json::Error),
}

pub struct ErpClient {
    http: Client,
    base_url: String,
    client_id: String,
    client_secret: String,
}

impl ErpClient {
    pub fn new(
        base_url: String,
        client_id: String,
        client_secret: String,
    ) -> Result<ErpClient, reqwest::Error> {
        let http = Client::builder()
            .user_agent(concat!("erp-sync/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(ErpClient {
            http,
            base_url,
            client_id,
            client_secret,
        })
    }
}

/// The ERP's number for a sales order, e.g. `SO-2026-0481516`.
#[derive(Debug, Clone, Deserialize)]
pub struct ErpRef {
    pub order_no: String,
}

#[derive(Debug, Deserialize)]
struct CashReceiptCreated {
    receipt_no: String,
}

/// Creates the sales order for a placed web order in the ERP.
///
/// The ERP has no idempotency key on `POST /sales-orders` and does not enforce uniqueness
/// on `external_reference`: every POST that reaches it is a new sales order.
///
/// # Operations
/// - workflow: order-to-cash
/// - service: erp-sync
/// - depends-on: erp-api
/// - side-effects: creates a sales order in the ERP
/// - idempotent: no
/// - retry: attempts=3 initial=500ms factor=2 max-delay=30s jitter=full
/// - timeout: 10s
/// - owner: team-integrations
/// - alerts: ErpSyncFailing
/// - dashboard: https://grafana.acme-shop.internal/d/erp-sync/erp-sync
/// - runbook: https://wiki.acme-shop.internal/oncall/erp-sync#push-order
///
/// # Failure modes
/// - ERP returns 503 during its nightly batch window (01:00-02:00 UTC).
/// - The ERP commits the sales order but answers after our 10s timeout: the retry creates a
///   second sales order for the same web order and the warehouse picks it twice.
/// - 422 for an item number merchandising has not created in the ERP yet: retried anyway
///   (every error is retried), then dead-lettered.
///
/// # Recovery
/// 1. Check the ERP status page and whether we are inside the 01:00-02:00 UTC batch window.
/// 2. Look for duplicates before replaying anything: `erpctl sales-orders list --external-ref <order-id>`,
///    then cancel all but the oldest with `erpctl sales-orders cancel <order-no>`.
/// 3. Replay from the dead-letter queue with `erpctl replay --since 1h`.
/// 4. To read the dead letters by hand: `rabbitmqadmin get queue=erp-sync.order-placed.dlq count=20 ackmode=ack_requeue_true`.
pub async fn push_order(erp: &ErpClient, order: &SalesOrderRequest) -> Result<ErpRef, ErpError> {
    let url = format!("{}/sales-orders", erp.base_url);
    Retry::spawn(
        ExponentialBackoff::from_millis(2)
            .factor(250)
            .max_delay(Duration::from_secs(30))
            .map(jitter)
            .take(4),
        || async {
            let response = erp
                .http
                .post(&url)
                .basic_auth(&erp.client_id, Some(&erp.client_secret))
                .timeout(Duration::from_secs(10))
                .json(order)
                .send()
                .await?;
            read_json::<ErpRef>(response).await
        },
    )
    .await
}

/// Books the captured payment against the sales order, which lets finance close the invoice.
///
/// # Operations
/// - workflow: order-to-cash
/// - service: erp-sync
/// - depends-on: erp-api
/// - side-effects: creates a cash receipt in the ERP
/// - idempotent: yes
/// - timeout: 10s
/// - owner: team-integrations
/// - alerts: ErpCashReceiptsLagging
/// - runbook: https://wiki.acme-shop.internal/oncall/erp-sync#cash-receipts
///
/// # Failure modes
/// - Finance locked the posting period (month end): 423 until they reopen it.
/// - A second receipt with the same `payment_reference` gets 409, which we treat as done.
///
/// # Recovery
/// 1. Ask #finance-ops whether the period is locked: `erpctl periods show --current`.
/// 2. After it reopens: `erpctl replay --queue erp-sync.payment-captured.dlq --since 24h`.
pub async fn post_cash_receipt(
    erp: &ErpClient,
    receipt: &CashReceiptRequest,
) -> Result<Option<String>, ErpError> {
    let response = erp
        .http
        .post(format!("{}/cash-receipts", erp.base_url))
        .basic_auth(&erp.client_id, Some(&erp.client_secret))
        .timeout(Duration::from_secs(10))
        .json(receipt)
        .send()
        .await?;
    if response.status() == StatusCode::CONFLICT {
        tracing::info!(reference = %receipt.payment_reference, "cash receipt already booked");
        return Ok(None);
    }
    let created: CashReceiptCreated = read_json(response).await?;
    Ok(Some(created.receipt_no))
}

async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, ErpError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response.json::<T>().await?);
    }
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        return Err(ErpError::Unavailable { status });
    }
    let body = response.text().await.unwrap_or_default();
    Err(ErpError::Rejected { status, body })
}
