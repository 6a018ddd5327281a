//! Bounce tracking: customer service wants to know when a confirmation never arrived,
//! usually a typo in the address, before the customer calls.

use std::time::Duration;

use chrono::{DateTime, Utc};
use lapin::options::BasicPublishOptions;
use lapin::{BasicProperties, Channel};
use serde::{Deserialize, Serialize};
use tokio_retry::strategy::FixedInterval;
use tokio_retry::Retry;

/// Bounce pages are small; 20s only protects us from a hung connection.
const BOUNCES_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, thiserror::Error)]
pub enum BounceError {
    #[error("mail API: {0}")]
    Api(#[from] reqwest::Error),
    #[error("broker: {0}")]
    Broker(#[from] lapin::Error),
    #[error("encoding: {0}")]
    Encode(#[from] serde_json::Error),
}

pub struct BounceClient {
    http: reqwest::Client,
    api_url: String,
    api_key: String,
}

impl BounceClient {
    pub fn new(api_url: String, api_key: String) -> Result<BounceClient, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(BOUNCES_TIMEOUT)
            .build()?;
        Ok(BounceClient {
            http,
            api_url,
            api_key,
        })
    }
}

#[derive(Debug, Deserialize)]
struct BouncePage {
    bounces: Vec<Bounce>,
}

#[derive(Debug, Deserialize, Serialize)]
struct Bounce {
    message_id: String,
    recipient: String,
    kind: String,
    reason: String,
    bounced_at: DateTime<Utc>,
}

/// Fetches the bounces reported since `since` and publishes one `email.bounced` per bounce
/// for customer service. Returns the cursor for the next poll.
///
/// # Operations
/// - workflow: order-to-cash
/// - service: notifications
/// - depends-on: smtp-provider, rabbitmq
/// - side-effects: publishes `email.bounced` to exchange `orders`
/// - idempotent: yes
/// - timeout: 20s
///
/// # Failure modes
/// - The API key is rotated or revoked: every poll gets 401 and is retried every 5 seconds,
///   forever. The task never returns, nothing is logged above `warn`, and bounces stop
///   reaching customer service without anyone noticing.
/// - The provider is down for hours: same loop, which is fine for a 5xx.
///
/// # Recovery
/// 1. `docker compose logs --since 10m notifications | grep "bounce poll failed"`.
/// 2. If the errors are 401: update `MAIL_API_KEY` and `docker compose up -d notifications`.
/// 3. Bounces are kept by the provider for 30 days; the next successful poll catches up.
pub async fn poll_bounces(
    client: &BounceClient,
    channel: &Channel,
    since: DateTime<Utc>,
) -> Result<DateTime<Utc>, BounceError> {
    let url = format!("{}/bounces", client.api_url);
    let page = Retry::spawn(FixedInterval::from_millis(5000), || async {
        let result = client
            .http
            .get(&url)
            .bearer_auth(&client.api_key)
            .query(&[("since", since.to_rfc3339())])
            .send()
            .await
            .and_then(|r| r.error_for_status());
        match result {
            Ok(response) => response.json::<BouncePage>().await,
            Err(err) => {
                tracing::warn!(error = %err, "bounce poll failed");
                Err(err)
            }
        }
    })
    .await?;

    let mut cursor = since;
    for bounce in &page.bounces {
        channel
            .basic_publish(
                "orders",
                "email.bounced",
                BasicPublishOptions::default(),
                &serde_json::to_vec(bounce)?,
                BasicProperties::default()
                    .with_content_type("application/json".into())
                    .with_message_id(bounce.message_id.clone().into()),
            )
            .await?
            .await?;
        cursor = cursor.max(bounce.bounced_at);
    }
    if !page.bounces.is_empty() {
        tracing::info!(count = page.bounces.len(), "bounces published");
    }
    Ok(cursor)
}
