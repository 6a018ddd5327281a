//! Order confirmation emails through the mail provider's HTTP API.

use chrono::{DateTime, Utc};
use reqwest_middleware::ClientWithMiddleware;
use reqwest_retry::policies::ExponentialBackoff;
use reqwest_retry::RetryTransientMiddleware;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::templates::{self, CONFIRMATION_TEMPLATE};

/// `order.placed`, as far as an email needs it.
#[derive(Debug, Clone, Deserialize)]
pub struct OrderPlaced {
    pub order_id: Uuid,
    pub email: String,
    pub currency: String,
    pub total_cents: i64,
    pub lines: Vec<Line>,
    pub placed_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Line {
    pub sku: String,
    pub quantity: i32,
    pub unit_price_cents: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mail API: {0}")]
    Transport(#[from] reqwest_middleware::Error),
    #[error("mail API answer: {0}")]
    Response(#[from] reqwest::Error),
    #[error("mail API rejected the message: {0}")]
    Rejected(String),
}

pub struct Mailer {
    http: ClientWithMiddleware,
    api_url: String,
    api_key: String,
    from: String,
}

impl Mailer {
    pub fn new(api_url: String, api_key: String, from: String) -> Mailer {
        let policy = ExponentialBackoff::builder().build_with_max_retries(3);
        let http = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
            .with(RetryTransientMiddleware::new_with_policy(policy))
            .build();
        Mailer {
            http,
            api_url,
            api_key,
            from,
        }
    }
}

#[derive(Debug, Serialize)]
struct SendRequest<'a> {
    from: &'a str,
    to: &'a str,
    subject: &'a str,
    text: &'a str,
    template: &'a str,
    tags: [&'a str; 1],
}

#[derive(Debug, Deserialize)]
struct Accepted {
    message_id: String,
}

/// Sends the "your order is confirmed" email.
///
/// The provider keeps `Idempotency-Key` values for 24 hours, so the middleware's retries do
/// not send the email twice.
///
/// # Operations
/// - workflow: order-to-cash
/// - service: notifications
/// - depends-on: smtp-provider
/// - side-effects: sends the order confirmation email to the customer
/// - idempotent: key=order.order_id
/// - retry: attempts=4 initial=1s factor=2 max-delay=30m jitter=full
///
/// # Failure modes
/// - The mail API accepts the connection and never answers: nothing bounds the request, the
///   consumer holds its one unacked message forever and confirmations stop for everyone.
/// - 5xx or 429 from the provider: retried three times by the middleware, then the message
///   is dead-lettered.
///
/// # Recovery
/// 1. A stuck consumer shows as messages growing with 1 unacked:
///    `rabbitmqadmin list queues name messages messages_unacknowledged consumers | grep notifications`.
/// 2. `docker compose restart notifications`; the unacked message is redelivered.
/// 3. To resend confirmations for a window: `rabbitmqadmin get queue=notifications.order-placed.dlq count=50 ackmode=ack_requeue_false`
///    and republish them to `order.placed`; anything older than 24 hours will be sent twice.
pub async fn send_confirmation_email(
    mailer: &Mailer,
    order: &OrderPlaced,
) -> Result<String, MailError> {
    let email = templates::confirmation(order);
    let request = SendRequest {
        from: &mailer.from,
        to: &order.email,
        subject: &email.subject,
        text: &email.text,
        template: CONFIRMATION_TEMPLATE,
        tags: ["order-confirmation"],
    };

    let response = mailer
        .http
        .post(format!("{}/messages", mailer.api_url))
        .bearer_auth(&mailer.api_key)
        .header(
            "Idempotency-Key",
            format!("order-confirmation-{}", order.order_id),
        )
        .json(&request)
        .send()
        .await?;

    if !response.status().is_success() {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        return Err(MailError::Rejected(format!("{status}: {body}")));
    }
    let accepted: Accepted = response.json().await?;
    Ok(accepted.message_id)
}
