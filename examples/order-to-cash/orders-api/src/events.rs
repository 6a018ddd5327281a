//! Publishing to RabbitMQ. Every publish waits for the broker's confirm, so a 201 from
//! `create_order` means the event is on disk in the `orders` exchange's queues.

use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::publisher_confirm::Confirmation;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties};

use crate::model::{OrderError, OrderPlaced};

pub const ORDERS_EXCHANGE: &str = "orders";
pub const ORDER_PLACED: &str = "order.placed";

/// Persistent messages (delivery mode 2) survive a broker restart.
const PERSISTENT: u8 = 2;

pub struct Publisher {
    // Kept so the connection is not closed while the channel is in use.
    _connection: Connection,
    channel: Channel,
}

impl Publisher {
    pub async fn connect(amqp_url: &str) -> Result<Publisher, lapin::Error> {
        let connection = Connection::connect(
            amqp_url,
            ConnectionProperties::default().with_connection_name("orders-api".into()),
        )
        .await?;
        let channel = connection.create_channel().await?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        Ok(Publisher {
            _connection: connection,
            channel,
        })
    }

    pub fn is_connected(&self) -> bool {
        self.channel.status().connected()
    }

    /// Publishes `order.placed` and waits for the broker to confirm it.
    ///
    /// `mandatory` makes an unroutable message come back instead of vanishing: if the
    /// bindings in `rabbitmq/definitions.json` were not loaded, we fail the request.
    pub async fn publish_order_placed(&self, event: &OrderPlaced<'_>) -> Result<(), OrderError> {
        let payload = serde_json::to_vec(event)?;
        let properties = BasicProperties::default()
            .with_content_type("application/json".into())
            .with_delivery_mode(PERSISTENT)
            .with_message_id(event.order_id.to_string().into())
            .with_app_id("orders-api".into());

        let confirmation = self
            .channel
            .basic_publish(
                ORDERS_EXCHANGE,
                ORDER_PLACED,
                BasicPublishOptions {
                    mandatory: true,
                    ..BasicPublishOptions::default()
                },
                &payload,
                properties,
            )
            .await?
            .await?;

        match confirmation {
            Confirmation::Ack(None) => Ok(()),
            Confirmation::Ack(Some(returned)) => {
                tracing::error!(
                    order_id = %event.order_id,
                    reply = %returned.reply_text,
                    "order.placed was unroutable"
                );
                Err(OrderError::NotConfirmed)
            }
            Confirmation::Nack(_) | Confirmation::NotRequested => Err(OrderError::NotConfirmed),
        }
    }
}
