//! The payment provider's capture API.

use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use reqwest::{Client, Response, StatusCode};
use serde::{Deserialize, Serialize};

use crate::messages::OrderPlaced;

/// The provider's p99 for a capture is about 4s; 15s covers their slow days without letting
/// a hung connection hold one of our two workers.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    #[error("provider unreachable: {0}")]
    Transport(#[from] reqwest::Error),
    #[error("provider answered {status}: {body}")]
    Provider { status: StatusCode, body: String },
    #[error("card declined: {code}")]
    Declined { code: String },
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("broker: {0}")]
    Broker(#[from] lapin::Error),
    #[error("encoding: {0}")]
    Encode(#[from] serde_json::Error),
}

impl PaymentError {
    /// 5xx, 429 and 409 (the same idempotency key is still in flight at the provider) are
    /// worth another attempt; a decline or a 4xx is not.
    pub fn is_retryable(&self) -> bool {
        match self {
            PaymentError::Transport(e) => e.is_timeout() || e.is_connect(),
            PaymentError::Provider { status, .. } => {
                status.is_server_error()
                    || *status == StatusCode::TOO_MANY_REQUESTS
                    || *status == StatusCode::CONFLICT
            }
            _ => false,
        }
    }
}

pub struct ProviderClient {
    http: Client,
    base_url: String,
    api_key: String,
}

impl ProviderClient {
    pub fn new(base_url: String, api_key: String) -> Result<ProviderClient, reqwest::Error> {
        let http = Client::builder()
            .timeout(PROVIDER_TIMEOUT)
            .user_agent(concat!("payments-worker/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(ProviderClient {
            http,
            base_url,
            api_key,
        })
    }
}

#[derive(Debug, Serialize)]
struct CaptureRequest<'a> {
    amount: i64,
    currency: &'a str,
    source: &'a str,
    reference: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Capture {
    pub id: String,
    pub status: String,
    pub amount: i64,
    pub currency: String,
}

#[derive(Debug, Deserialize)]
struct ProviderErrorBody {
    error: ProviderErrorDetail,
}

#[derive(Debug, Deserialize)]
struct ProviderErrorDetail {
    code: String,
    #[serde(default)]
    decline_code: Option<String>,
}

/// Captures the order's total with the payment provider.
///
/// The provider deduplicates on the `Idempotency-Key` header for 24 hours: a retry with the
/// same key returns the first capture instead of charging the card twice.
///
/// # Operations
/// - workflow: order-to-cash
/// - service: payments-worker
/// - depends-on: payment-provider
/// - side-effects: captures (charges) the order total on the customer's card
/// - idempotent: key=order.id
/// - timeout: 15s
/// - owner: team-payments
/// - alerts: PaymentCaptureErrorRate
/// - dashboard: https://grafana.acme-shop.internal/d/payments/payments-worker
/// - runbook: https://wiki.acme-shop.internal/oncall/payments#capture
///
/// # Failure modes
/// - Provider 5xx or 429 during one of their incidents: six attempts of up to 15s each, then
///   the message goes to `payments.order-placed.dlq` and the order stays unpaid.
/// - The provider keeps idempotency keys for 24 hours only: replaying a dead-lettered
///   `order.placed` older than that charges the card a second time.
/// - Card declined (402): not retried; the order moves to `payment_failed`.
///
/// # Recovery
/// 1. Check the provider's status page and the capture error rate on the dashboard.
/// 2. List what failed: `SELECT order_id, status, failure, updated_at FROM payments WHERE status = 'failed' AND updated_at > now() - interval '1 hour';`
/// 3. For anything older than 24 hours, look for an existing capture first:
///    `paymentsctl captures list --reference <order-id>`.
/// 4. Replay the rest: `paymentsctl replay-dlq --queue payments.order-placed.dlq --max-age 24h`.
pub async fn capture_payment(
    provider: &ProviderClient,
    order: &OrderPlaced,
) -> Result<Capture, PaymentError> {
    let url = format!("{}/v1/captures", provider.base_url);
    let idempotency_key = order.id.to_string();
    let request = CaptureRequest {
        amount: order.total_cents,
        currency: &order.currency,
        source: &order.payment_token,
        reference: order.id.to_string(),
    };

    let capture = (|| async {
        let response = provider
            .http
            .post(&url)
            .bearer_auth(&provider.api_key)
            .header("Idempotency-Key", &idempotency_key)
            .json(&request)
            .send()
            .await?;
        read_capture(response).await
    })
    .retry(
        ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(200))
            .with_max_times(5)
            .with_jitter(),
    )
    .when(PaymentError::is_retryable)
    .notify(|err: &PaymentError, delay: Duration| {
        tracing::warn!(order_id = %order.id, error = %err, ?delay, "capture failed, retrying");
    })
    .await?;

    Ok(capture)
}

async fn read_capture(response: Response) -> Result<Capture, PaymentError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response.json::<Capture>().await?);
    }
    let body = response.text().await.unwrap_or_default();
    if status == StatusCode::PAYMENT_REQUIRED {
        let code = serde_json::from_str::<ProviderErrorBody>(&body)
            .map(|b| b.error.decline_code.unwrap_or(b.error.code))
            .unwrap_or_else(|_| "unknown".to_string());
        return Err(PaymentError::Declined { code });
    }
    Err(PaymentError::Provider { status, body })
}
