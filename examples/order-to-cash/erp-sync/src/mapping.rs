//! From our messages to the ERP's documents. The ERP wants decimal strings for money,
//! its own item numbers for SKUs, and one customer account for all web shop customers.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Every web order is booked on this debtor; the customer's own data travels in the
/// delivery address block.
const WEB_SHOP_ACCOUNT: &str = "D-100200";
const SALES_CHANNEL: &str = "WEB";

/// `order.placed`, published by orders-api.
#[derive(Debug, Clone, Deserialize)]
pub struct OrderPlaced {
    pub order_id: Uuid,
    pub customer_id: Uuid,
    pub email: String,
    pub currency: String,
    pub total_cents: i64,
    pub lines: Vec<OrderLine>,
    pub placed_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OrderLine {
    pub sku: String,
    pub quantity: i32,
    pub unit_price_cents: i64,
}

/// `payment.captured`, published by payments-worker.
#[derive(Debug, Clone, Deserialize)]
pub struct PaymentCaptured {
    pub order_id: Uuid,
    pub capture_id: String,
    pub amount_cents: i64,
    pub currency: String,
    pub captured_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct SalesOrderRequest {
    pub customer_account: &'static str,
    pub sales_channel: &'static str,
    /// Our order id. Informational only: the ERP does not enforce uniqueness on it.
    pub external_reference: String,
    pub order_date: NaiveDate,
    pub currency: String,
    pub contact_email: String,
    pub lines: Vec<SalesOrderLine>,
}

#[derive(Debug, Serialize)]
pub struct SalesOrderLine {
    pub item_no: String,
    pub quantity: i32,
    pub unit_price: String,
}

impl SalesOrderRequest {
    pub fn from_order(order: &OrderPlaced) -> SalesOrderRequest {
        SalesOrderRequest {
            customer_account: WEB_SHOP_ACCOUNT,
            sales_channel: SALES_CHANNEL,
            external_reference: order.order_id.to_string(),
            order_date: order.placed_at.date_naive(),
            currency: order.currency.clone(),
            contact_email: order.email.clone(),
            lines: order
                .lines
                .iter()
                .map(|l| SalesOrderLine {
                    item_no: item_no(&l.sku),
                    quantity: l.quantity,
                    unit_price: decimal(l.unit_price_cents),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct CashReceiptRequest {
    pub sales_order_no: String,
    pub amount: String,
    pub currency: String,
    /// The provider's capture id; the ERP refuses a second receipt with the same reference.
    pub payment_reference: String,
    pub received_on: NaiveDate,
}

impl CashReceiptRequest {
    pub fn from_capture(sales_order_no: String, capture: &PaymentCaptured) -> CashReceiptRequest {
        CashReceiptRequest {
            sales_order_no,
            amount: decimal(capture.amount_cents),
            currency: capture.currency.clone(),
            payment_reference: capture.capture_id.clone(),
            received_on: capture.captured_at.date_naive(),
        }
    }
}

/// SKUs are `ABC-123-BLK`; ERP item numbers are the same without dashes, upper case.
fn item_no(sku: &str) -> String {
    sku.chars()
        .filter(|c| *c != '-')
        .collect::<String>()
        .to_uppercase()
}

/// 1250 -> "12.50", -5 -> "-0.05".
fn decimal(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_a_decimal_string() {
        assert_eq!(decimal(1250), "12.50");
        assert_eq!(decimal(7), "0.07");
        assert_eq!(decimal(-5), "-0.05");
    }

    #[test]
    fn item_numbers_drop_dashes() {
        assert_eq!(item_no("tee-042-blk"), "TEE042BLK");
    }
}
